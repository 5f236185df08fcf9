from qa.lib.schedules import ScheduleSpec

SCHEDULES = [
    # Brokers that drop a task when its worker dies (Redis) rely on this sweep.
    ScheduleSpec(
        name="recordings: requeue stale transcriptions", func="recordings.tasks.requeue_stale_transcriptions", minutes=1,
    ),
]
