"""Domain errors with structured fields. No HTTP codes here: the HTTP adapter maps them in one table."""

from __future__ import annotations

from typing import Any


class RempartError(Exception):
    """Base of every error Rempart raises on purpose."""

    code = "error"

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            **{k: v for k, v in self.fields.items() if v is not None},
        }


class InputError(RempartError):
    """Bad input: a file, line or field that is not what was expected.

    Every instance says where (file, line or element, field) and what was expected.
    """

    code = "invalid_input"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        element: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(
            message, file=file, line=line, element=element, field=field, expected=expected, value=value
        )
        self.file = file
        self.line = line
        self.element = element
        self.field = field
        self.expected = expected
        self.value = value

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.element:
            where.append(self.element)
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        tail = f" (expected {self.expected}" + (f", got {self.value!r})" if self.value is not None else ")")
        return prefix + self.message + (tail if self.expected else "")


class NotFound(RempartError):
    code = "not_found"


class Conflict(RempartError):
    """A move that the current state does not allow (workflow, duplicate)."""

    code = "conflict"


class Forbidden(RempartError):
    """The actor lacks the role, or the four-eyes rule forbids the move."""

    code = "forbidden"


class Unauthenticated(RempartError):
    code = "unauthenticated"


class IntegrityFailure(RempartError):
    """A verification found a break: an edited, deleted, inserted or reordered record, a bad signature."""

    code = "integrity_failure"
