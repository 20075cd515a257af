"""Interaction callback and followup/original-response webhook routes (with Discord's rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from tests.e2e.fake_limits import validate_choices, validate_message, validate_modal
from tests.e2e.fake_models import JSON
from tests.e2e.fake_records import EPHEMERAL, LOADING, InteractionRecord, StoredMessage
from tests.e2e.fake_rest import Call, json_response, no_content

if TYPE_CHECKING:
    from tests.e2e.fake_discord import FakeDiscord
    from tests.e2e.fake_rest import RestApi

MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE_RESULT, MODAL = 4, 5, 6, 7, 8, 9
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


class InteractionApi:
    """Handlers for /interactions/… and /webhooks/{application_id}/{token}/…."""

    def __init__(self, fake: FakeDiscord, rest: RestApi) -> None:
        self.fake = fake
        self.rest = rest

    def _new_message(self, record: InteractionRecord, payload: JSON, flags: int) -> JSON:
        fake = self.fake
        meta = {"id": str(record.id), "type": record.type, "user": record.user.payload(),
                "authorizing_integration_owners": record.payload["authorizing_integration_owners"]}
        if record.type == 2:
            meta["name"] = record.name
        extra = {"webhook_id": str(fake.application_id),
                 "application_id": str(fake.application_id), "interaction_metadata": meta}
        return fake.message_json(fake.snowflakes.next(), record.channel, fake.bot_user,
                                 payload | {"flags": flags}, mtype=20 if record.type == 2 else 0,
                                 extra=extra)

    async def callback(self, call: Call) -> web.Response:
        """POST /interactions/{id}/{token}/callback — the initial response."""
        fake, rest = self.fake, self.rest
        record = fake.interactions.get(int(call.params[0]))
        if record is None or record.token != call.params[1]:
            return rest.fail(call, "unknown_interaction", 404, 10062, "Unknown interaction")
        if record.callback_type is not None:
            return rest.fail(call, "double_ack", 400, 40060,
                             "Interaction has already been acknowledged.", interaction=record)
        late = fake.clock.monotonic() - record.dispatched_at
        if late > fake.response_deadline:
            return rest.fail(call, "late_reply", 404, 10062, "Unknown interaction",
                             detail=f"answered after {late:.2f}s", interaction=record)
        ctype, data = call.json.get("type"), call.json.get("data") or {}
        if ctype not in ALLOWED_CALLBACKS.get(record.type, set()):
            return rest.fail(call, "bad_callback", 400, 50035, "Invalid Form Body",
                             detail=f"callback type {ctype} for interaction type {record.type}",
                             interaction=record)
        if ctype == MESSAGE:
            problems = validate_message(data | {"files": call.files})
        elif ctype == UPDATE:
            problems = validate_message(data, partial=True)
        elif ctype == AUTOCOMPLETE_RESULT:
            problems = validate_choices(data.get("choices"))
        elif ctype == MODAL:
            problems = validate_modal(data)
        else:
            problems = []
        if problems:
            return rest.invalid_form(call, problems, interaction=record)
        record.callback_type, record.callback_data = ctype, data
        record.responded_at = fake.clock.monotonic()
        if ctype == MESSAGE:
            flags = int(data.get("flags") or 0) & (EPHEMERAL | 4)
            msg_json = self._new_message(record, data, flags)
            msg_json["attachments"] = rest._attachments(call)
            record.original = fake.store_message(record.channel, fake.bot_user, msg_json,
                                                 "interaction_response", request=data,
                                                 interaction_id=record.id)
            fake.record_sent("callback", data, record.original, record)
        elif ctype == DEFERRED:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            record.original = fake.store_message(record.channel, fake.bot_user,
                                                 self._new_message(record, {}, flags),
                                                 "interaction_response", interaction_id=record.id)
        elif ctype in (DEFERRED_UPDATE, UPDATE):
            record.original = record.source_message
            if ctype == UPDATE and record.original is not None:
                fake.edit_message(record.original, data)
                fake.record_sent("callback", data, record.original, record)
        record.changed()
        fake.notifier.notify()
        if not call.flag("with_response"):
            return no_content()
        return json_response(self._callback_body(record))

    def _callback_body(self, record: InteractionRecord) -> JSON:
        original = record.original
        body: JSON = {"interaction": {
            "id": str(record.id), "type": record.type,
            "response_message_id": str(original.id) if original else None,
            "response_message_loading": record.callback_type == DEFERRED,
            "response_message_ephemeral": bool(original and original.ephemeral)}}
        if original is not None and record.callback_type in (MESSAGE, DEFERRED, UPDATE):
            body["resource"] = {"type": record.callback_type, "message": original.data}
        else:
            body["resource"] = {"type": record.callback_type}
        return body

    def _hook(self, call: Call) -> InteractionRecord | web.Response:
        fake, rest = self.fake, self.rest
        record = fake.interactions_by_token.get(call.params[1])
        if int(call.params[0]) != fake.application_id or record is None:
            return rest.fail(call, "unknown_webhook", 404, 10015, "Unknown Webhook")
        age = fake.clock.monotonic() - record.dispatched_at
        if age > fake.token_lifetime:
            return rest.fail(call, "expired_token", 404, 10015, "Unknown Webhook",
                             detail=f"interaction token used after {age:.0f}s", interaction=record)
        if record.callback_type is None:
            return rest.fail(call, "not_acknowledged", 404, 10015, "Unknown Webhook",
                             detail="followup/edit before the initial response", interaction=record)
        return record

    def _target(self, call: Call, record: InteractionRecord) -> StoredMessage | web.Response:
        ref = call.params[2]
        if ref == "@original":
            msg = record.original
        else:
            msg = next((m for m in [record.original, *record.followups]
                        if m is not None and m.id == int(ref)), None)
        if msg is None or msg.deleted:
            return self.rest.fail(call, "not_found", 404, 10008, "Unknown Message",
                                  interaction=record)
        return msg

    async def followup(self, call: Call) -> web.Response:
        """POST /webhooks/{app}/{token} — a followup (the first one after a defer fills it)."""
        fake = self.fake
        record = self._hook(call)
        if isinstance(record, web.Response):
            return record
        payload = call.json
        if problems := validate_message(payload | {"files": call.files}):
            return self.rest.invalid_form(call, problems, interaction=record)
        original = record.original
        if original is not None and original.loading and record.callback_type == DEFERRED:
            fake.edit_message(original, {k: v for k, v in payload.items() if k != "flags"})
            msg = original
        else:
            flags = int(payload.get("flags") or 0) & (EPHEMERAL | 4)
            data = self._new_message(record, payload, flags)
            data["attachments"] = self.rest._attachments(call)
            msg = fake.store_message(record.channel, fake.bot_user, data, "followup",
                                     request=payload, interaction_id=record.id)
        record.followups.append(msg)
        fake.record_sent("followup", payload, msg, record)
        record.changed()
        return json_response(msg.data) if call.flag("wait") else no_content()

    async def get_message(self, call: Call) -> web.Response:
        """GET /webhooks/{app}/{token}/messages/{@original|id}."""
        record = self._hook(call)
        if isinstance(record, web.Response):
            return record
        msg = self._target(call, record)
        return msg if isinstance(msg, web.Response) else json_response(msg.data)

    async def edit_message(self, call: Call) -> web.Response:
        """PATCH /webhooks/{app}/{token}/messages/{@original|id}."""
        record = self._hook(call)
        if isinstance(record, web.Response):
            return record
        msg = self._target(call, record)
        if isinstance(msg, web.Response):
            return msg
        if problems := validate_message(call.json, partial=True):
            return self.rest.invalid_form(call, problems, interaction=record)
        self.fake.edit_message(msg, call.json)
        record.edits.append(call.json)
        self.fake.record_sent("webhook_edit", call.json, msg, record)
        record.changed()
        return json_response(msg.data)

    async def delete_message(self, call: Call) -> web.Response:
        """DELETE /webhooks/{app}/{token}/messages/{@original|id}."""
        record = self._hook(call)
        if isinstance(record, web.Response):
            return record
        msg = self._target(call, record)
        if isinstance(msg, web.Response):
            return msg
        self.fake.delete_message(msg)
        record.changed()
        return no_content()
