"""The step actions of the walk-through, by name, each in one store transaction.

``step_action(name, case_id, actor, ...)`` is what a step page hands to ``Workspace.run``: a call of the store
that runs the workflow's step function (``session, store, case_id, actor, ...``) in one transaction and returns
what it made (a row's id, or the function's plain result). The names are the workflow functions' own; the UI
never picks a function, opens a transaction or sees a session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.models.profile import Store
from app.workflow import document_fields, steps, steps_findings, steps_measures
from app.workflow.case_fields import set_case_field
from app.workflow.steps_closing import close_case as _close_case

#: Every step action a page can take, by name (arrival, recusal, checklist, measures, findings, the details later forms read).
STEP_ACTIONS: dict[str, Callable[..., Any]] = {
    fn.__name__: fn for fn in (
        steps.record_notice, steps.record_credentials_shown, steps.identify_representative,
        steps.record_rights_told, steps.declare_recusal, steps.request_recusal, steps.decide_recusal,
        steps.replace_inspector, steps.set_checklist_finding,
        steps_measures.register_preservation, steps_measures.decide_preservation, steps_measures.seal,
        steps_measures.extend_sealing, steps_measures.release_sealing,
        steps_findings.add_finding, steps_findings.update_finding, steps_findings.correct_finding,
        steps_findings.remove_finding, steps_findings.acknowledge_flags,
        document_fields.save_notice_details, document_fields.save_outcome_details, document_fields.save_service,
    )
}


def _plain(result: Any) -> Any:
    """A row made by the step as its id (rows do not leave the transaction); anything else as it is."""
    return getattr(result, "id", None) if result is not None and hasattr(result, "id") else result


def step_action(action: str, case_id: str, actor: str, /, *args: Any, **kwargs: Any) -> Callable[[Store], Any]:
    """The step action ``action`` for ``case_id`` by ``actor`` as a store call (one transaction); the step's own
    arguments follow (positional-only above, so a step may take ``name=`` or ``actor=`` itself)."""
    fn = STEP_ACTIONS[action]

    def call(store: Store) -> Any:
        with store.transaction() as s:
            return _plain(fn(s, store, case_id, actor, *args, **kwargs))

    return call


def save_case_fields(store: Store, case_id: str, actor: str, changed: Mapping[str, Any]) -> int:
    """Each changed case field through ``set_case_field`` (journaled ``case.field_changed``), in one transaction;
    the number of fields changed."""
    with store.transaction() as s:
        # the period's start first when it moves later, so the check "start ≤ end" sees the new end
        for name in sorted(changed, key=lambda n: n != "period_to"):
            set_case_field(s, store, case_id, actor, name, changed[name])
    return len(changed)


def close_case(store: Store, case_id: str, actors: Sequence[str]) -> str:
    """Close the case on site (``steps_closing.close_case``), in one transaction."""
    with store.transaction() as s:
        return _close_case(s, store, case_id, actors)
