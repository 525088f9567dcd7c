"""Errors services raise. Each knows the status and body Prefect gives it; the API's
exception handler (`api.wire.errors`) only renders them."""

from __future__ import annotations

from typing import Any

INTEGRITY_MESSAGE = (
    "Data integrity conflict. This usually means a unique or foreign key constraint was "
    "violated. See server logs for details."
)


class ApiError(Exception):
    status_code = 400

    def body(self) -> Any:
        raise NotImplementedError


class DetailError(ApiError):
    """Route-level errors: `{"detail": "..."}` with any status."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail

    def body(self) -> Any:
        return {"detail": self.detail}


class ObjectNotFound(ApiError):
    """Model-layer not-found errors: 404 `{"exception_message": "..."}`."""

    status_code = 404

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> Any:
        return {"exception_message": self.message}


class IntegrityConflict(ApiError):
    status_code = 409

    def body(self) -> Any:
        return {"detail": INTEGRITY_MESSAGE}


class RequestValidationError(ApiError):
    """422 with pydantic-style error entries, as FastAPI reports request validation failures."""

    status_code = 422

    def __init__(self, errors: list[dict[str, Any]], request_body: Any) -> None:
        super().__init__("Invalid request received.")
        self.errors = errors
        self.request_body = request_body

    def body(self) -> Any:
        return {
            "exception_message": "Invalid request received.",
            "exception_detail": self.errors,
            "request_body": self.request_body,
        }


def not_found(detail: str = "Not Found") -> DetailError:
    return DetailError(404, detail)
