from qa.lib.schedules import ScheduleSpec

SCHEDULES = [
    # Brokers that drop a task when its worker dies (Redis) rely on this sweep.
    ScheduleSpec(
        name="recordings: requeue stale transcriptions", func="recordings.tasks.requeue_stale_transcriptions", minutes=1,
    ),
]

# Made by the redaction migration (0007), so unapplying it removes only this one.
REDACTION_SCHEDULES = [
    ScheduleSpec(
        name="recordings: requeue stale redacted copies", func="recordings.tasks.requeue_stale_redactions", minutes=5,
    ),
]
