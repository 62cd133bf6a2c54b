"""``wiredesk apikey create|list|revoke``; ``wiredesk article show``."""

from __future__ import annotations

import json
import sys

from wiredesk.core.cli import command, subcommands


def register(sub) -> None:
    apikey = command(sub, "apikey", cmd_apikey, help="manage API keys")
    key_sub = subcommands(apikey, "apikey_command")
    create = key_sub.add_parser("create", help="create a key (shown once)")
    create.add_argument("name")
    create.add_argument("--write", action="store_true",
                        help="allow submitting items and killing articles")
    create.add_argument("--agency", action="append", default=[], metavar="CODE",
                        help="an agency the write key may write for (repeat for more); a "
                             "write key with none may write for no agency")
    create.add_argument("--per-minute", type=int, default=600, help="rate limit (default 600)")
    bind = key_sub.add_parser("bind", help="let a write key write for more agencies")
    bind.add_argument("name")
    bind.add_argument("--agency", action="append", required=True, metavar="CODE",
                      help="agency code (repeat for more)")
    key_sub.add_parser("list", help="list keys")
    revoke = key_sub.add_parser("revoke", help="revoke a key")
    revoke.add_argument("name")

    # Under the newsroom's `wiredesk article` (registered before this module): the shape
    # is the API's, which the newsroom below does not know.
    show = sub.choices["article"].subcommands.add_parser(
        "show", help="one article as the API shows it, with the desk's state")
    show.add_argument("article_id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true",
                      help="print JSON (the only output there is; kept for scripts)")
    show.set_defaults(handler=cmd_article_show)


def cmd_article_show(args) -> int:
    from wiredesk.api.routers.common import article_detail_out, articles_query
    from wiredesk.api.schemas import ArticleDetailOut
    from wiredesk.newsroom.desk import desk_state

    article = articles_query().filter(pk=args.article_id).first()
    if article is None:
        print(f"wiredesk article show: no article with id {args.article_id}", file=sys.stderr)
        return 1
    shown = ArticleDetailOut.model_validate(article_detail_out(article)).model_dump(mode="json")
    state = desk_state(article)
    shown.update({"status": article.status, "desk_edited": state.desk_edited,
                  "agency_update_pending": state.agency_update_pending})
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    return 0


def cmd_apikey(args) -> int:
    from wiredesk.api import services
    from wiredesk.api.models import ApiKey

    if args.apikey_command == "create":
        key, raw = services.apikey_create(name=args.name, can_write=args.write,
                                          requests_per_minute=args.per_minute,
                                          agencies=args.agency)
        access = "read and write" if key.can_write else "read"
        print(f"API key {key.name} ({access}, {key.requests_per_minute}/min):")
        print(raw)
        print("Send it as the X-API-Key header. It is not stored and cannot be shown again.")
        if key.can_write:
            print(_writes_for(key))
        return 0
    if args.apikey_command == "bind":
        key = services.apikey_bind(name=args.name, agencies=args.agency)
        print(f"API key {key.name}: {_writes_for(key)}")
        return 0
    if args.apikey_command == "revoke":
        key = services.apikey_revoke(name=args.name)
        print(f"API key {key.name} revoked")
        return 0
    keys = ApiKey.objects.all()
    if not keys:
        print("no API keys yet: create one with `wiredesk apikey create NAME`")
    for key in keys:
        state = "revoked" if key.revoked else ("write" if key.can_write else "read")
        used = key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "never"
        agencies = f"  agencies {','.join(key.agency_codes()) or 'none'}" \
            if key.can_write else ""
        print(f"{key.name:<24} {key.prefix}…  {state:<8} {key.requests_per_minute:>6}/min  "
              f"last used {used}{agencies}")
    return 0


def _writes_for(key) -> str:
    codes = key.agency_codes()
    if codes:
        return f"writes for {', '.join(codes)} only"
    return (f"writes for NO agency yet: every write is refused until you run "
            f"`wiredesk apikey bind {key.name} --agency CODE`")
