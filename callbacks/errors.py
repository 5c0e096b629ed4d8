"""Why a follow-up action was refused: a stable code, an HTTP status and a translated message."""

from flask_babel import gettext as _

from callbacks.labels import question_label

# code -> (HTTP status, message); messages are looked up when shown, in the user's language.
MESSAGES = {
    "not_found": (404, lambda p: _("Not found, or not visible to you.")),
    "claimed_by_other": (409, lambda p: _("Another caller is working on this task.")),
    "task_not_open": (409, lambda p: _("This task is not open for calls or visits any more.")),
    "not_awaiting_record": (409, lambda p: _("This task has no completed contact waiting for a verification record.")),
    "already_recorded": (409, lambda p: _("A verification record already exists; correct it instead.")),
    "no_record": (404, lambda p: _("This task has no verification record yet.")),
    "key_reused": (409, lambda p: _("This submission was already used for another task.")),
    "bad_disposition": (400, lambda p: _("Choose a result code of this task's channel.")),
    "not_due_yet": (409, lambda p: _("This task is not due until %(due)s: a failed attempt now would break the "
                                     "retry rules (someone may have just tried). Record it only if you reached "
                                     "the person.", **p)),
    "bad_appointment": (400, lambda p: _("The appointment time cannot be accepted: %(reasons)s", **p)),
    "reason_required": (400, lambda p: _("Please give a reason.")),
    "bad_answers": (400, lambda p: _("Please check the answers: %(reasons)s", reasons="、".join(
        question_label(name) for name in p["reasons"].split(", ")))),
    "bad_caller": (400, lambda p: _("Choose an active caller who may work this county.")),
    "bad_qc_result": (400, lambda p: _("Choose whether the re-check confirms or disputes the record.")),
    "not_permitted": (403, lambda p: _("You do not have permission to do this.")),
    "draw_not_found": (404, lambda p: _("No such draw.")),
    "bad_selection": (400, lambda p: _("Pick at least one open task (at most %(most)d at a time), or take all "
                                       "matching the filter.", **p)),
    "tasks_closed": (409, lambda p: _("These tasks are closed and can no longer be assigned: %(ids)s", **p)),
    "selection_changed": (409, lambda p: _("The filter matched %(expected)d tasks when you looked and matches "
                                           "%(found)d now: nothing was assigned. Look at the table again.", **p)),
    "caller_wrong_county": (400, lambda p: _("%(caller)s works another county and cannot take tasks of: "
                                             "%(counties)s. Nothing was assigned.", **p)),
    "draw_superseded": (409, lambda p: _("This draw was superseded by a redraw; its units are not worked.")),
}


class FollowUpError(Exception):
    """A follow-up action refused for a reason the user can act on."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def status(self) -> int:
        return MESSAGES[self.code][0]

    def message(self) -> str:
        """Return the reason in the user's language."""
        return MESSAGES[self.code][1](self.params)
