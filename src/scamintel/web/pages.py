"""The public landing page. The full multilingual pages build on this router."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

pages = APIRouter(include_in_schema=False)

LANDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scamintel: check before you pay</title>
<style>body{font-family:system-ui,"Noto Sans","Noto Sans Thai",sans-serif;max-width:36rem;
margin:2rem auto;padding:0 1rem;line-height:1.5}input{font-size:1.1rem;width:100%;padding:.5rem}
button{font-size:1.1rem;margin-top:.5rem;padding:.5rem 1rem}</style></head>
<body><h1>Check before you pay</h1>
<p>Paste a phone number, link, bank account, e-wallet, crypto wallet or chat ID.</p>
<form action="/api/v1/check" method="get">
<label for="q">Number, link or account</label>
<input id="q" name="q" required maxlength="2048" placeholder="081-234-5678">
<button type="submit">Check</button></form>
<p>No report does not mean safe. Never share one-time codes (OTP).</p>
<p><a href="/docs">API documentation</a></p></body></html>"""


@pages.get("/", response_class=HTMLResponse)
def landing() -> str:
    return LANDING
