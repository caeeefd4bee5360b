"""Text for the CLI: the plan as a table, and the closing summary.

Kept out of cli.py so the wording is tested without a terminal; only the CLI
prints these.
"""

from __future__ import annotations

from podcast.progress import size
from podcast.publish.plan import Plan

__all__ = ["plan_notes", "plan_summary", "plan_table", "shard_summary", "size", "summary"]


def plan_table(plan: Plan) -> list[str]:
    """key, size, Content-Type, Cache-Control, reason: one upload per row, in order."""
    rows = [("key", "size", "content-type", "cache-control", "reason")]
    rows += [(u.key, size(u.size), u.content_type, u.cache_control, u.reason)
             for u in plan.uploads]
    if not plan.over_cap:
        rows += [(key, "", "", "", "delete (stale)") for key in plan.deletes]
    if len(rows) == 1:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def plan_notes(plan: Plan) -> list[str]:
    """Feed changes subscribers will see that need no --allow-feed-changes."""
    if not plan.moved:
        return []
    return ["allowed feed changes (apps that fetch the new URL get the episode they have):",
            *(f"  - {sentence}" for sentence in plan.moved)]


def plan_summary(plan: Plan) -> str:
    parts = [f"{len(plan.uploads)} to upload ({size(plan.upload_bytes)})",
             f"{len(plan.unchanged)} unchanged"]
    if plan.deletes and not plan.over_cap:
        parts.append(f"{len(plan.deletes)} to delete")
    elif plan.over_cap:
        parts.append(f"{len(plan.deletes)} stale, over --max-deletes {plan.max_deletes}: "
                     "none would be deleted")
    if plan.moved:
        parts.append(f"{len(plan.moved)} re-tagged (same audio at a new URL)")
    if plan.kept:
        parts.append(f"{len(plan.kept)} stale kept")
    return ", ".join(parts)


def summary(result) -> str:
    applied = result.applied
    secs = max(result.seconds, 1e-6)
    rate = f", {size(int(applied.bytes / secs))}/s" if applied.bytes else ""
    records = getattr(result, "records", 0)
    wrote = f", wrote {records} build record{'s' if records != 1 else ''}" if records else ""
    return (f"uploaded {len(applied.uploaded)} file{'s' if len(applied.uploaded) != 1 else ''} "
            f"({size(applied.bytes)}{rate}), skipped {len(result.plan.unchanged)}, "
            f"deleted {len(applied.deleted)}{wrote}, in {result.seconds:.1f} s")


def shard_summary(result) -> str:
    """The closing line of ``podcast publish --shard I/N``."""
    i, n = result.shard
    made = sum(1 for a in result.actions.values() if a != "in the bucket")
    head = (f"shard {i}/{n}: {len(result.episodes)} episode"
            f"{'s' if len(result.episodes) != 1 else ''}, {made} made here, "
            f"{len(result.episodes) - made} already in the bucket")
    if result.dry_run:
        return head + "; dry run: nothing was uploaded"
    return (f"{head}; uploaded {len(result.applied.uploaded)} file"
            f"{'s' if len(result.applied.uploaded) != 1 else ''} "
            f"({size(result.applied.bytes)}), wrote {result.records} build record"
            f"{'s' if result.records != 1 else ''}; the feed is left to `podcast publish`")
