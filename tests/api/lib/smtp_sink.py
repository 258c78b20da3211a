#!/usr/bin/env python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd), on loopback.

Usage: smtp_sink.py PORT [DELAY_MS [brief]]
Prints "ready" once listening, then one JSON line per message accepted:
{mail_from, rcpt_tos, headers: {name: value, decoded}, text, html, size}
("brief": only {rcpt_tos, message_id, size}, for the benchmark, where the
sink shares the cores with what it measures). DELAY_MS holds each DATA that
long before answering (to have messages in flight). Stops at SIGTERM or
when stdin, a pipe, closes.
"""
import asyncio
import json
import os
import re
import signal
import stat
import sys
import threading
from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, delay_ms, brief):
        self.delay = delay_ms / 1000.0
        self.brief = brief

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.brief:
            found = re.search(rb'^Message-ID: (<[^>]*>)', envelope.content, re.M)
            sys.stdout.write(json.dumps({
                'rcpt_tos': envelope.rcpt_tos,
                'message_id': found.group(1).decode() if found else None,
                'size': len(envelope.content)}) + '\n')
            sys.stdout.flush()
            return '250 OK'
        msg = message_from_bytes(envelope.content, policy=default)
        text = html = None
        for part in msg.walk():
            ctype = part.get_content_type()
            if ctype == 'text/plain' and text is None:
                text = part.get_content()
            elif ctype == 'text/html' and html is None:
                html = part.get_content()
        out = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'headers': {k: str(v) for k, v in msg.items()},
            'raw_headers': envelope.content.split(b'\r\n\r\n', 1)[0].decode('ascii', 'replace'),
            'text': text,
            'html': html,
            'size': len(envelope.content),
        }
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()
        return '250 OK'


def main():
    port = int(sys.argv[1])
    delay = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    brief = len(sys.argv) > 3 and sys.argv[3] == 'brief'
    ctl = Controller(Sink(delay, brief), hostname='127.0.0.1', port=port)
    ctl.start()
    print('ready', flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    # a pipe on stdin (the tests' node) closes when its owner dies: stop then
    # too; anything else (/dev/null, a terminal) is not read
    if stat.S_ISFIFO(os.fstat(0).st_mode):
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    ctl.stop()


if __name__ == '__main__':
    main()
