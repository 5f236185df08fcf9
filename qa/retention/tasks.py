from qa.retention.services import retention_apply


def apply_retention() -> str:
    summary = retention_apply()
    return f"calls={summary.calls} files={summary.files_deleted} failed={len(summary.files_failed)}"
