# English dates as the team's English readers write them, day before month and a 24-hour clock: Django's own
# English formats are American (03/02/2026 5 p.m.), which a team working from Asia and Europe misreads.
# Only what is shown; the forms' input formats stay Django's.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1
