"""The one error the checklist services raise: what is wrong, field by field, in the reader's language."""


class ChecklistError(Exception):
    """A checklist step is refused; `problems` maps each field to its reason, `status` is the HTTP answer."""

    def __init__(self, problems: dict[str, str], status: int = 400, code: str = "invalid"):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems, self.status, self.code = problems, status, code
