from qa.lib.schedules import ScheduleSpec

SCHEDULES = [
    ScheduleSpec(name="performance: training-need rules", func="qa.performance.tasks.training_rules_run_all", minutes=60),
]
