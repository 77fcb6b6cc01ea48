"""A user's error raised anywhere in the app is a notice, never a crash.

Keys that write catch their own errors; reads happen everywhere else (moving the cursor,
opening a recording, a timer, a worker building the search index). When a team's
database server is away, each of those raises a QualkitError. Textual ends the app on an
exception that reaches it, and stops the message loop of the screen the handler ran in,
so the error is caught where each message is dispatched (`NoticeOnError`, mixed into the
app and its screens) and, for the rest (workers, callbacks after a refresh), where
Textual hands it to the app (`QualkitApp._handle_exception` calls `qualkit_error`).
The notice is said in the interface language; the next action tries the server again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.message import Message
from textual.message_pump import CallbackError, MessagePump
from textual.worker import WorkerFailed

from qualkit.errors import QualkitError
from qualkit.i18n import default_lang, t
from qualkit.tui.error_text import error_text

if TYPE_CHECKING:
    from textual.app import App


def qualkit_error(exc: BaseException) -> QualkitError | None:
    """The QualkitError behind `exc`: itself, or what a Textual timer or worker wrapped."""
    seen: BaseException | None = exc
    for _ in range(4):  # a short chain: CallbackError or WorkerFailed around the error
        if isinstance(seen, QualkitError):
            return seen
        if isinstance(seen, WorkerFailed):
            seen = seen.error
        elif isinstance(seen, CallbackError):
            seen = seen.__cause__ or seen.__context__
        else:
            return None
    return None


def show_error(app: App[Any], exc: QualkitError) -> None:
    """The error as an error notice in the app's language."""
    lang = str(getattr(app, "lang", None) or default_lang())
    app.notify(error_text(exc, lang), title=t("error", lang), severity="error")


class NoticeOnError:
    """Mixed into the app and its screens: a handler's QualkitError becomes a notice.

    Textual's own handling would end the app; here the message is dropped with a notice
    and the screen goes on receiving the next one."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as exc:
            found = qualkit_error(exc)
            if found is None:
                raise
            show_error(cast(MessagePump, self).app, found)
