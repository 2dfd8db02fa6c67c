"""The KPI figures as a CSV file for the towns' reports: one row per fiscal year, UTF-8 with a BOM for Excel."""

import csv
import io

from reimbursements.exports import BOM, csv_cell

KPI_COLUMNS = [
    "programme",
    "fiscal_year",
    "households_paid",
    "households_approved",
    "stays",
    "days",
    "nights",
    "yen_approved",
    "yen_paid",
    "yen_granted",
    "budget_yen",
    "budget_committed_yen",
    "budget_left_yen",
    "survey_within_a_year",
    "survey_later",
    "survey_undecided",
    "survey_no",
    "survey_total",
    "households_moved",
    "conversion_rate",
    "median_days_to_move",
    "certified_people",
    "active_months",
]


def kpis_csv(kpis: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(KPI_COLUMNS)
    for year in kpis["fiscal_years"]:
        row = {**kpis, **year, **{f"survey_{key}": value for key, value in year["survey_answers"].items()}}
        writer.writerow([csv_cell(row[column]) for column in KPI_COLUMNS])
    return BOM + buffer.getvalue()
