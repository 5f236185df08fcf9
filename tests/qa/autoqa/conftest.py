from tests.qa.reviews.conftest import default_rubric  # noqa: F401 - auto-QA runs the shipped rubric's checks
