"""Generate the demo's sample shareholder letter as a PDF (fictional company, written for the newsclaims demo).

No open-licensed real CEO letter was available, so this one is written from scratch in the usual style of such
letters: results with figures, targets, forecasts and comparisons, signed and dated by the CEO.
Run from the repo root (needs fpdf2):
    .venv/bin/python newsclaims/demo_site/_tools/make_letter_pdf.py
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

OUTPUT = Path(__file__).resolve().parent.parent / "letters" / "kestrel-devices-2023-shareholder-letter.pdf"
TITLE = "Kestrel Devices, Inc. - 2023 Letter to Shareholders"
AUTHOR = "Mara Lindqvist"
# A fixed date keeps the generated file identical from run to run.
CREATED = datetime(2024, 4, 2, 9, 0, tzinfo=timezone.utc)

DISCLAIMER = (
    "Sample letter written for the newsclaims demo. Kestrel Devices, Inc. and every person, figure and event "
    "in this letter are fictional."
)

PARAGRAPHS = [
    "To our shareholders:",
    "2023 was the strongest year in Kestrel's history. Revenue reached $4.2 billion, up 18% from $3.56 billion in "
    "2022, and operating income rose 31% to $412 million. We shipped 9.6 million connected home devices, and our "
    "installed base passed 21 million active devices at year end. Subscription revenue grew 42% to $690 million "
    "and now accounts for 16% of total revenue, compared with 13% a year ago.",
    "Europe was our fastest-growing region. Sales there rose 35% to $1.1 billion, and Kestrel became the number "
    "two smart-thermostat brand in Germany and France, behind only the long-time market leader. In North America, revenue grew 9% to "
    "$2.3 billion in a market that shrank by about 4%. Gross margin improved to 38.5% from 35.2%, mainly because "
    "we moved 60% of final assembly to our new plant in Brno, Czech Republic.",
    "We also made mistakes. The launch of the Kestrel Hub 3 slipped by five months, and we wrote down $48 million "
    "of inventory for the older model. We have since cut our average product development cycle from 22 months "
    "to 15 months, and we expect to keep it below 14 months in 2024.",
    "Our targets are simple. We aim to double our installed base within three years, to more than 42 million "
    "devices by the end of 2026. Our goal is to be number one in Europe by 2026. We plan to invest $650 million "
    "in research and development in 2024, about 14% of expected revenue, and to hire 1,200 engineers over the "
    "next two years, most of them in Brno, Lisbon and Austin.",
    "For 2024 we expect revenue of between $4.7 billion and $4.9 billion, growth of 12% to 17%, and operating "
    "margins of around 12% next year, compared with 9.8% in 2023. We expect subscription revenue to exceed "
    "$1 billion for the first time by 2025. Energy prices remain the biggest risk to these forecasts: a 10% fall "
    "in European electricity prices would, we estimate, reduce thermostat demand by 3% to 5%.",
    "We returned $220 million to shareholders in 2023 through buybacks and our first dividend of $0.40 per share. "
    "The board has approved a dividend of $0.55 per share for 2024, an increase of 37.5%, and a new $500 million "
    "buyback program. Compared with our largest competitor, we generated twice as much free cash flow per dollar "
    "of revenue, and we intend to keep that lead.",
    "Thank you to our 7,400 employees, our customers and you, our shareholders, for your trust. We are still at "
    "the beginning of the connected home, and I have never been more confident about where Kestrel is going.",
]

SIGNATURE = ["Sincerely,", "", "Mara Lindqvist", "Chief Executive Officer, Kestrel Devices, Inc.", "April 2, 2024"]


def build_letter() -> FPDF:
    """Lay the letter out on A4 pages with its metadata set."""
    pdf = FPDF(format="A4")
    pdf.set_title(TITLE)
    pdf.set_author(AUTHOR)
    pdf.set_subject("Annual letter to shareholders (sample written for the newsclaims demo)")
    pdf.set_creator("newsclaims demo_site/_tools/make_letter_pdf.py")
    pdf.set_keywords("newsclaims demo, sample, shareholder letter, fictional")
    pdf.set_creation_date(CREATED)
    pdf.set_margins(25, 22, 25)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_text_color(150, 0, 0)
    pdf.multi_cell(0, 5, DISCLAIMER, border=1, padding=2, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, "Kestrel Devices, Inc.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 7, "2023 Letter to Shareholders", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in PARAGRAPHS:
        pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(4)
    for line in SIGNATURE:
        pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    return pdf


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    build_letter().output(str(OUTPUT))
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
