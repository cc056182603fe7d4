"""`referatbot serve` killed (SIGKILL) in the middle of answering a question, and started
again on the same port and data dir: it comes back ready, and the question Teams sends
again (it got no answer) is answered once.

A real `serve` process over a copy of the indexed samples; the fake Teams connector, in
this test's event loop, holds the bot's reply open so the kill lands mid-question.
"""
from __future__ import annotations

import asyncio
import json
import signal

import aiohttp
import pytest

from fake_teams import TELEFON_QUESTION, activity_json
from servers import free_port, serve_ready, start_serve

#: kills a `serve` subprocess: the full tier only
pytestmark = pytest.mark.slow

def card_text(activity: dict) -> str:
    [attachment] = activity["attachments"]
    return json.dumps(attachment["content"], ensure_ascii=False)


async def test_serve_killed_mid_question_comes_back_ready_and_answers(bot_settings, connector,
                                                                      tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    activity = activity_json(TELEFON_QUESTION, service_url=connector.url, activity_id="act-kill")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        first = await start_serve(port, log, settings=bot_settings)
        try:
            await serve_ready(session, base, first, log)
            connector.hold_before = release = asyncio.Event()
            asking = asyncio.create_task(session.post(f"{base}/api/messages", json=activity))
            await connector.wait_for_requests(1)  # the answer is on its way: mid-question
        finally:
            first.kill()
            await first.wait()
        assert first.returncode == -signal.SIGKILL
        with pytest.raises(aiohttp.ClientError):  # Teams' request dies with the process
            await asking
        await connector.wait_until_senders_gone()
        connector.hold_before = None
        release.set()
        await asyncio.sleep(0.1)
        assert connector.received == []  # the user got nothing

        # the same port, the same data
        second = await start_serve(port, log, settings=bot_settings)
        try:
            ready = await serve_ready(session, base, second, log)
            assert ready == {"ready": True, "model": True, "store": True, "catalog": True}
            # Teams sends the activity it got no answer for again: answered, once
            async with session.post(f"{base}/api/messages", json=activity) as response:
                assert response.status == 201
            [reply] = await connector.wait_for(1)
            assert reply["conversation"]["id"] == "a:personal-chat-1"
            assert "Rådhusets telefontider" in card_text(reply)
            async with session.get(f"{base}/api/ask", params={"q": TELEFON_QUESTION}) as response:
                assert response.status == 200
                top = (await response.json())["citations"][0]
                assert (top["meeting_date"], top["punkt"]) == ("2024-04-24", 7)
            async with session.post(f"{base}/api/messages", json=activity) as response:
                assert response.status == 201  # a further retry is deduplicated
            await asyncio.sleep(0.5)
            assert len(connector.received) == 1
        finally:
            second.send_signal(signal.SIGINT)
            await asyncio.wait_for(second.wait(), 60)
        assert second.returncode == 0, log.read_text()
        assert "Traceback" not in log.read_text()
