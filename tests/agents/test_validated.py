"""fields.validated: the pydantic door every agent endpoint body passes."""

import pytest
from pydantic import BaseModel, ConfigDict, Field

from wallet.agents.envelope import ApiError
from wallet.agents.fields import validated


class Q(BaseModel):
    model_config = ConfigDict(strict=True)
    dateFrom: str | None = Field(default=None, pattern=r"^\d{4}/\d{2}/\d{2}$")
    limit: int = Field(default=50, ge=1, le=100)


def test_a_model_reads_the_body_and_names_the_failing_field() -> None:
    assert validated({"dateFrom": "2026/12/01"}, Q).dateFrom == "2026/12/01"
    with pytest.raises(ApiError) as e:
        validated({"limit": 0}, Q)
    assert "limit" in str(e.value.message)
