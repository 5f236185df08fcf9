from qa.lib.schedules import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(name="retention: delete expired recordings", func="qa.retention.tasks.apply_retention", minutes=24 * 60),
]
