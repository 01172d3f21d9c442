"""The three role groups, created with their permissions by migration accounts/0001_role_groups.

Views check permissions, never these names; the names are for assigning a user a role.
"""

CLINICIAN = "clinician"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (CLINICIAN, REVIEWER, ADMIN)
