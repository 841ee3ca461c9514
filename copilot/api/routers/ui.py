"""The agent's sidebar page (a placeholder until the sidebar lands)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from copilot import __version__

router = APIRouter(tags=["ui"])

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>热线坐席助手</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:420px;margin:2rem auto;color:#222}}
code{{background:#f3f3f3;padding:0 .3em}}</style></head>
<body><h1>热线坐席助手 <small>v{version}</small></h1>
<p>后台模拟系统已就绪。坐席侧边栏正在建设中。</p>
<ul><li>健康检查：<a href="/healthz"><code>/healthz</code></a></li>
<li>接口文档：<a href="/docs"><code>/docs</code></a></li></ul></body></html>"""


@router.get("/", response_class=HTMLResponse)
def index() -> str:
    """The landing page."""
    return PAGE.format(version=__version__)
