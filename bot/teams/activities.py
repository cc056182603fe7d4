"""The conversation core's replies as Teams activities, in plain JSON (no bot SDK; the
handler turns these dicts into botbuilder Activities).

An answer is one message: its text with the [1], [2] markers, the root message entity with
the AI label and a citation per source (`bot.citations`), the Adaptive Card for what a
citation cannot carry ("Vis hele punktet", "Vis hele mødet", the links), and, for an
answer to rate, Teams' feedback loop (`channelData.feedbackLoop`, type default: Teams
shows 👍/👎 and its own form, then sends the `message/submitAction` invoke). Teams
documents text, entities and an attachment together on one message (the last message of
a stream carries all three), and refuses a message above about 100 KB counted in UTF-16
(80 KB advised): the punkter in the citations are shortened, and at last left out, until
the message fits MAX_MESSAGE_BYTES.

Progress while a question is answered, per "Stream bot messages"
(https://learn.microsoft.com/microsoftteams/platform/bots/streaming-ux), available in
personal chats only: an informative update is a typing activity with a `streaminfo`
entity (streamType informative, streamSequence 1); the connector answers it with the
stream's id, and the answer closes the stream as a message whose `streaminfo` has that
streamId, streamType final and no streamSequence.
"""
from __future__ import annotations

from bot import cards
from bot.conversation import Reply
from bot.teams.citations import ADAPTIVE_CARD, message_entity

#: UTF-16 bytes of a whole message: Teams' advised 80 KB.
MAX_MESSAGE_BYTES = 80_000
#: UTF-16 bytes of each punkt in a citation, tried in turn until the message fits
#: (0: the citations without their punkt).
CITATION_CARD_LIMITS = (cards.MAX_CARD_BYTES, 20_000, 10_000, 5_000, 2_500, 0)
STREAM_INFO = "streaminfo"
FEEDBACK_LOOP = {"feedbackLoop": {"type": "default"}}


def message(reply: Reply) -> dict:
    """A reply as a message activity; an answer with its citations, AI label and (for an
    answer to rate) the feedback loop, within MAX_MESSAGE_BYTES."""
    if not reply.generated:
        return _message(reply)
    for limit in CITATION_CARD_LIMITS:
        sent = _message(reply)
        sent["entities"] = [message_entity(reply.citations, card_bytes=limit)]
        if reply.question:
            sent["channelData"] = dict(FEEDBACK_LOOP)
        if cards.card_bytes(sent) <= MAX_MESSAGE_BYTES:
            break
    return sent


def _message(reply: Reply) -> dict:
    sent: dict = {"type": "message"}
    if reply.text:
        sent["text"] = reply.text
    if reply.card is not None:
        sent["attachments"] = [{"contentType": ADAPTIVE_CARD, "content": reply.card}]
    return sent


def typing() -> dict:
    """The typing indicator, sent as soon as a question arrives."""
    return {"type": "typing"}


def informative(text: str) -> dict:
    """The first update of a stream: Teams shows `text` on a progress bar."""
    return {"type": "typing", "text": text,
            "entities": [{"type": STREAM_INFO, "streamType": "informative", "streamSequence": 1}]}


def final(sent: dict, stream_id: str) -> dict:
    """`sent` as the message that ends the stream `stream_id`."""
    end = {"type": STREAM_INFO, "streamId": stream_id, "streamType": "final"}
    return {**sent, "entities": [*sent.get("entities", []), end]}
