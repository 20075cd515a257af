"""Domain errors whose message is safe to show a user (no paths beyond the file name, no secrets)."""

from __future__ import annotations


class BookclubError(Exception):
    """Base error: ``str(error)`` is a complete sentence fit for a chat reply or a terminal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SourceError(BookclubError):
    """A source file or its metadata is unusable; the message names the file and the field."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        super().__init__(f"{file}: {field}: {problem}")
        self.file = file
        self.field = field
        self.problem = problem


class QuestionError(BookclubError):
    """The question itself cannot be asked (empty, too long, not text)."""
