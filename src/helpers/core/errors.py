"""Errors about input data that a person can act on: each names the file, sheet, row, column,
value and what was expected."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem with an input file, described in one paragraph."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = [
            part
            for part in (
                self.file,
                f"sheet '{self.sheet}'" if self.sheet is not None else None,
                f"row {self.row}" if self.row is not None else None,
                f"column '{self.column}'" if self.column is not None else None,
            )
            if part
        ]
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.expected:
            text += f". Expected: {self.expected}"
        if self.hint:
            text += f". {self.hint}"
        return text if text.endswith(".") else text + "."

    def located(self, *, file: str | Path, sheet: str | None = None) -> InputError:
        """The same error naming ``file`` (and ``sheet`` when given) as the reader knows it."""
        return type(self)(
            self.problem,
            file=file,
            sheet=sheet if sheet is not None else self.sheet,
            row=self.row,
            column=self.column,
            value=self.value,
            expected=self.expected,
            hint=self.hint,
        )


class StructuralError(InputError):
    """The file cannot be read as the instrument it claims to be; cleaning stops."""
