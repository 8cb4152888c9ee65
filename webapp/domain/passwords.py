"""Password policy (ASVS 6.2): length only, no composition rules, and no very common passwords."""
from __future__ import annotations

COMMON = frozenset("""
password password1 password123 12345678 123456789 1234567890 qwerty123 qwertyuiop iloveyou
11111111 00000000 abc12345 abcd1234 sunshine princess football baseball welcome1 admin123
letmein1 trustno1 dragon123 monkey123 superman 1q2w3e4r 1qaz2wsx zaq12wsx passw0rd p@ssw0rd
linkdesk tiktokshop changeme 88888888 66666666 12341234 a1234567 woaini1314 woaini520
""".split())


def problem(password: str, min_len: int, max_len: int) -> str | None:
    """None when acceptable, else a code: 'short', 'long' or 'common'."""
    if password is None or len(password) < min_len:
        return "short"
    if len(password) > max_len:
        return "long"
    if password.lower() in COMMON:
        return "common"
    return None
