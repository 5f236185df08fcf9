from qa.lib.schedules import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(name="reviews: fill monitoring plans", func="qa.reviews.tasks.fill_monitoring_plans", minutes=60),
]
