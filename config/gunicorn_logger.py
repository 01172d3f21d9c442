"""gunicorn's logger with self-entry link tokens replaced in its access log (docs/self-entry.md):
`gunicorn --logger-class config.gunicorn_logger.RedactingLogger`."""

from typing import Any

from gunicorn.glogging import Logger

from audit.log_filters import redact_self_entry_tokens


class RedactingLogger(Logger):  # type: ignore[misc]
    """Access log lines name /self/[token] instead of a patient's link."""

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        # the request line, path, referrer and their raw headers and environ copies
        return {
            key: redact_self_entry_tokens(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
