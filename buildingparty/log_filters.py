"""Filters for the log configuration in settings.LOGGING."""

import logging


class RefusalFilter(logging.Filter):
    """A refused request (403) is the app doing its job, not a fault: one warning line saying who was refused,
    where and why, without the traceback Django attaches to it (``django.utils.log.log_response``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        exception = record.exc_info[1] if record.exc_info else None
        # A PermissionDenied carries its reason, if any; a CSRF refusal says it in the message.
        reason = (str(exception) or "permission denied") if exception is not None else record.getMessage()
        path = getattr(request, "path", "")
        record.msg, record.args = "Forbidden: user=%s path=%s reason=%s", (who, path, " ".join(reason.split()))
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True
