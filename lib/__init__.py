"""Small pieces every step of the flow shares, each with one purpose: the clinic's calendar days,
date-range filters, and the rule that keeps spreadsheet cells from running as formulas."""
