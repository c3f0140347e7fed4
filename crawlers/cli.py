"""``yuqing extract PAGE.html``: what the crawler would read from one saved page.

For operators writing per-site selectors: run it on a saved page, see what the extraction
chain finds, and add ``selectors`` to the source until it is right.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from crawlers.encoding import decode_html
from crawlers.extract import extract_article
from yuqing.clock import RealClock, local

__all__ = ["extract"]


@click.command()
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--url", default="", help="The address the page was saved from (for relative dates and links)."
)
@click.option(
    "--encoding", default=None, help="Read the file in this charset instead of detecting it."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print {title, published_at, author, text} as JSON."
)
def extract(page: Path, url: str, encoding: str | None, as_json: bool) -> None:
    """Extract title, publish time, author and body from one saved HTML PAGE."""
    body = page.read_bytes()
    try:
        html = body.decode(encoding) if encoding else decode_html(body)
    except (LookupError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{page}: cannot be read as {encoding}: {exc}") from None
    article = extract_article(html, url, RealClock().now())
    published = local(article.published_at).isoformat() if article.published_at else None
    result = {
        "title": article.title,
        "published_at": published,
        "author": article.author,
        "text": article.text,
    }
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"标题: {article.title}")
    click.echo(f"发布时间: {published or '（未找到）'}  (读自: {article.published_raw or '-'})")
    click.echo(f"作者: {article.author or '（未找到）'}")
    click.echo(f"正文 ({len(article.text)} 字, {article.method}):")
    click.echo(article.text)
