"""The audit log's addresses, shared by the tests of the audit page and of the audit trail."""

LOG = "/audit/"
EXPORT = "/audit/export/"
