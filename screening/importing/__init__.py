"""Import files of visits (CSV or JSON in the answer keys of CRITERIA.md section 7): rows read,
then every row checked, with every problem named as "line N: key: message" (the line and the
column, never a patient's name, MRN or date of birth). screening.services.imports writes them.
"""
