"""SMS through Twilio's Messages API: a short text per person, Twilio's errors in clear words.

The account SID and auth token live in the keyring; the sender (a number or a messaging
service SID) is an option. `SLAAPP_TWILIO_API_BASE` points the channel at a fake Twilio on
this machine for tests; it is refused for any other host.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from urllib.parse import quote, urlencode, urlsplit

from slaapp.engine.people import phone_number
from slaapp.infra.http import CertificateError, ClientSettings, NetworkError, pooled_client, send
from slaapp.infra.secrets import SecretStore, SecretsUnavailableError
from slaapp.notify.channel import ChannelError, Notice
from slaapp.notify.channel_kind import (
    PASSWORD,
    TOKEN,
    ChannelContext,
    ChannelKind,
    OptionField,
    SecretField,
)
from slaapp.notify.render import sms_text
from slaapp.notify.webhook import USER_AGENT, Answer, read_secret, retry_after_seconds, status_error

log = logging.getLogger(__name__)
SID_SECRET = "twilio_account_sid"
TOKEN_SECRET = "twilio_auth_token"
SENDER = "sms_sender"
TEST_NUMBER = "sms_test_number"
API_BASE = "https://api.twilio.com"
BASE_VARIABLE = "SLAAPP_TWILIO_API_BASE"
WHAT = "Twilio"
LOOPBACK = ("127.0.0.1", "localhost", "::1")

# Twilio error codes that need a specific word; the rest say Twilio's own message.
KNOWN_CODES = {
    20003: "Twilio did not accept the account SID and auth token (20003): enter them again",
    21211: "Twilio says the number is not a valid mobile number (21211): correct the person's "
    "phone in the People screen or with `slaapp people set KEY --phone`",
    21408: "Twilio may not send to this country (21408): enable it in the Twilio console "
    "under Messaging › Geo permissions",
    21606: "the sender number cannot send SMS (21606): choose an SMS-capable number or a "
    "messaging service in Settings › SMS",
    21608: "a Twilio trial account only sends to verified numbers (21608): verify the number "
    "or upgrade the account",
    21610: "the person replied STOP to this sender (21610): they must text START to it "
    "before SMS alerts reach them again",
}
RETRYABLE_CODES = frozenset({20429, 21611})
"""429 too many requests, 21611 the sender's queue is full: both safe to send again later."""


def api_base() -> str:
    """Twilio's API root, or the test override (only ever on this machine)."""
    base = os.environ.get(BASE_VARIABLE, "").strip().rstrip("/")
    if not base:
        return API_BASE
    if urlsplit(base).hostname not in LOOPBACK:
        raise ChannelError(
            f"{BASE_VARIABLE} may only point at this machine (it is for tests); unset it",
            retryable=False,
        )
    return base


def twilio_error(answer: Answer, body: str) -> ChannelError:
    """Twilio's JSON error `{code, message, more_info, status}` in words; 429 and 5xx retried."""
    try:
        found = json.loads(body)
    except ValueError:
        found = None
    code = found.get("code") if isinstance(found, dict) else None
    message = found.get("message") if isinstance(found, dict) else None
    words = f"{code} {message}" if code and message else (message or answer.body)
    if answer.status == 429 or code in RETRYABLE_CODES:
        wait = answer.retry_after if answer.retry_after is not None else 1.0
        return ChannelError(
            f"Twilio is busy ({answer.status} {words}); will retry in {wait:g} s",
            retryable=True,
            retry_after=wait,
        )
    if isinstance(code, int) and code in KNOWN_CODES and answer.status < 500:
        return ChannelError(KNOWN_CODES[code], retryable=False)
    if answer.status in (401, 403):
        advice = "check the account SID and auth token in Settings › SMS"
    else:
        advice = "check the sender and the person's number"
    return status_error(Answer(answer.status, words, answer.retry_after), WHAT, advice)


class SmsChannel:
    """Sends each notice as one SMS to the recipient's mobile number (the delivery's address)."""

    name = "sms"

    def __init__(
        self, secrets: SecretStore, sender: str, timeout: float = 10.0, test_number: str = ""
    ) -> None:
        self.secrets = secrets
        self.sender = sender.strip()
        self.timeout = timeout
        self.test_number = test_number.strip()
        self.last_sid = ""
        """The SID of the last message Twilio accepted (its status can be read back with it)."""
        self.last_status = ""

    def problem(self) -> str:
        """Why it cannot deliver now ("" when it can)."""
        for name, what in ((SID_SECRET, "Twilio account SID"), (TOKEN_SECRET, "Twilio auth token")):
            try:
                found = self.secrets.get(name)
            except SecretsUnavailableError as exc:
                return f"{what}: {exc}"
            if not found:
                return f"no {what} stored yet (Settings › SMS or `slaapp settings channels`)"
        return sender_problem(self.sender)

    def send(self, notice: Notice) -> None:
        sid = read_secret(self.secrets, SID_SECRET, WHAT)
        token = read_secret(self.secrets, TOKEN_SECRET, WHAT)
        if not sid or not token:
            raise ChannelError(
                "SMS: no Twilio account SID and auth token stored yet; enter them in Settings › SMS",
                retryable=False,
            )
        problem = sender_problem(self.sender)
        if problem:
            raise ChannelError(f"SMS: {problem}", retryable=False)
        target = notice.address or (self.test_number if not notice.alert_ids else "")
        try:
            to = phone_number(target or "")
        except ValueError:
            raise ChannelError(
                f"SMS: no mobile number for {notice.recipient_name} in the directory; add it "
                "in the People screen or with `slaapp people set KEY --phone`",
                retryable=False,
            ) from None
        form = {"To": to, "Body": sms_text(notice)}
        if self.sender.startswith("MG"):
            form["MessagingServiceSid"] = self.sender
        else:
            form["From"] = phone_number(self.sender)
        url = f"{api_base()}/2010-04-01/Accounts/{quote(sid, safe='')}/Messages.json"
        auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
        headers = {
            "Authorization": f"Basic {auth}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        client = pooled_client(f"notify:{WHAT}", ClientSettings(timeout=self.timeout))
        try:
            reply = send(client, "POST", url, content=urlencode(form).encode(), headers=headers)
        except CertificateError as exc:
            raise ChannelError(f"{WHAT}: {exc}", retryable=False) from None
        except NetworkError as exc:
            raise ChannelError(f"{WHAT}: {exc}; will retry", retryable=True) from None
        body = reply.content[:4096].decode("utf-8", "replace")
        if 200 <= reply.status_code < 300:
            self._accepted(body)
            return
        retry = retry_after_seconds(reply.headers.get("Retry-After"))
        plain = " ".join(body.split())[:300]
        raise twilio_error(Answer(reply.status_code, plain, retry), body)

    def _accepted(self, body: str) -> None:
        """Read Twilio's answer `{sid, status, ...}`: a message it already failed is an error."""
        try:
            found = json.loads(body)
        except ValueError:
            found = {}
        if not isinstance(found, dict):
            found = {}
        self.last_sid, self.last_status = (
            str(found.get("sid") or ""),
            str(found.get("status") or ""),
        )
        log.info("Twilio accepted SMS %s (status %s)", self.last_sid, self.last_status or "unknown")
        if self.last_status in ("failed", "undelivered"):
            code, message = found.get("error_code"), found.get("error_message")
            raise ChannelError(
                f"Twilio took the SMS but it {self.last_status} ({code or 'no code'} "
                f"{message or 'no reason given'})",
                retryable=False,
            )


def sender_problem(sender: str) -> str:
    """Why `sender` cannot send ("" when it is a number in E.164 or a messaging service SID)."""
    if not sender:
        return "no sender yet: enter a Twilio number (+1…) or messaging service SID (MG…)"
    if sender.startswith("MG"):
        return ""
    try:
        phone_number(sender)
    except ValueError as exc:
        return f"the sender {exc}"
    return ""


def _test_problem(context: ChannelContext) -> str:
    problem = sender_problem(context.settings.option(SENDER).strip())
    if problem:
        return problem[0].upper() + problem[1:]
    number = context.settings.option(TEST_NUMBER).strip()
    if not number:
        return "Enter a test number first: the test SMS goes there"
    try:
        phone_number(number)
    except ValueError as exc:
        return f"Test number: {exc}"
    return ""


def _test_words(context: ChannelContext, address: str) -> str:
    number = context.settings.option(TEST_NUMBER).strip()
    return f"Test SMS accepted by Twilio for {phone_number(number)}."


SMS = ChannelKind(
    name="sms", title="SMS",
    purpose="Texts alerts to people's mobile numbers (from the People screen) through Twilio. "
    "Only matrix steps that name sms send one, never in the person's quiet hours unless the "
    "step is critical.",
    switch="Send alerts by SMS",
    switch_tip="Needs a Twilio account: its SID and auth token, and a sender number or messaging service",
    build=lambda context: SmsChannel(
        context.secrets, context.settings.option(SENDER), context.settings.timeout,
        context.settings.option(TEST_NUMBER),
    ),
    secrets=(
        SecretField(
            SID_SECRET, "sms.account_sid", "Account SID", "The Twilio account SID", "account SID",
            "From the Twilio console (AC…); kept in the keyring", holds=TOKEN,
            placeholder="AC…", needed=True, stdin_option="--twilio-sid-stdin",
        ),
        SecretField(
            TOKEN_SECRET, "sms.auth_token", "Auth token", "The Twilio auth token", "auth token",
            "From the Twilio console; kept in the keyring, never in the database", holds=PASSWORD,
            needed=True, stdin_option="--twilio-token-stdin",
        ),
    ),
    options=(
        OptionField(
            SENDER, "sms.sender", "Sender", "", "A Twilio number in international form "
            "(+14155550123) or a messaging service SID (MG…)", placeholder="+14155550123 or MG…",
            cli_option="--sms-sender", cli_help="the Twilio number or messaging service SID SMS come from",
        ),
        OptionField(
            TEST_NUMBER, "sms.test_number", "Test number", "", "Where the test SMS goes",
            placeholder="+14155550123", cli_option="--sms-test-number",
            cli_help="the mobile number test SMS go to",
        ),
    ),
    test_words=_test_words,
    test_problem=_test_problem,
)  # fmt: skip
