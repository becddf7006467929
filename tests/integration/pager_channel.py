"""A pager alert channel that is not built in: what adding a channel takes (this module, one registry line)."""

from __future__ import annotations

from slaapp.infra.secrets import SecretStore
from slaapp.notify.channel import Notice
from slaapp.notify.channel_kind import ChannelKind, SecretField
from slaapp.notify.kinds import accepted_by
from slaapp.notify.render import webhook_body
from slaapp.notify.webhook import missing_secret, post_json, read_secret, status_error

URL_SECRET = "pager_url"


class PagerChannel:
    """POSTs each notice as JSON to the pager's URL (kept in the secrets store)."""

    name = "pager"

    def __init__(self, secrets: SecretStore, timeout: float) -> None:
        self.secrets, self.timeout = secrets, timeout

    def send(self, notice: Notice) -> None:
        url = read_secret(self.secrets, URL_SECRET, "the pager")
        if not url:
            raise missing_secret("the pager", URL_SECRET)
        answer = post_json(url, webhook_body(notice), "the pager", {}, self.timeout)
        if not 200 <= answer.status < 300:
            raise status_error(answer, "the pager", "check the pager URL")


PAGER = ChannelKind(
    name="pager", title="Pager", switch="Page the on-call person",
    switch_tip="Escalations reach the on-call pager",
    purpose="Pages the on-call person through the paging service's webhook.",
    build=lambda context: PagerChannel(context.secrets, context.settings.timeout),
    secrets=(SecretField(
        URL_SECRET, "pager.url", "URL", "The pager URL", "URL", "Where pages are POSTed; kept in the keyring",
        needed=True, stdin_option="--pager-url-stdin",
    ),),
    test_words=accepted_by(lambda settings: "the pager", URL_SECRET),
)  # fmt: skip
