import pytest

from qa.reviews.services import rubric_install_default


@pytest.fixture
def default_rubric(db):
    """The rubric the product ships: only for tests about that rubric itself."""
    return rubric_install_default()
