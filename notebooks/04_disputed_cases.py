# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Disputed cases: open the lead and the list together
#
# "In a dispute, take the sheet, open the lead and look at it together." Pick
# a disputed lead, read its card (the request as typed, the decoded item, the
# charter checklist, what drove the judge, whose miss it looks like and what
# would have had to change), and record the owner's verdict in the ledger.
# Settled disputes become training data for the next judge (`triage train`
# reads the ledger).

# %% tags=["parameters"]
SCORED = None  # a scored file (triage audit ... -> reports/audit-YYYY-MM-leads.parquet)
MODEL = None  # its model folder; None with SCORED None trains one on a sample
LEDGER = None  # ledger file; None: the settings' ledger (TRIAGE_LEDGER or data/ledger.sqlite)
LEAD_ID = None  # the lead to open; None: the first disputed one
VERDICT = "non_target"  # the owner's verdict to record for it
BY = "owner"
SEED = 7
MONTHS = 3
LEADS_PER_MONTH = 1500
CATALOG_SIZE = 20000

# %%
import warnings
from pathlib import Path
from tempfile import mkdtemp

from IPython.display import HTML, display

from triage.audit import disputed
from triage.io.leads import LeadSchema
from triage.io.tables import read_table
from triage.ledger import open_ledger
from triage.model import load_judge, train_judge
from triage.pipeline import Scorer
from triage.report.audit import dispute_card
from triage.report.card import render_card_html
from triage.synth import generate_world

warnings.simplefilter("ignore", FutureWarning)
if SCORED is None:
    world = generate_world(
        months=MONTHS, leads_per_month=LEADS_PER_MONTH, catalog_size=CATALOG_SIZE, seed=SEED
    )
    first = Scorer.build(catalog=world.catalog)
    judged = first.score_batch(world.leads).leads
    judge = train_judge(judged, schema=LeadSchema.synthetic(), charter=first.charter).judge
    scored = Scorer(charter=first.charter, judge=judge, responsibility=True).score_batch(judged).leads
    LEDGER = LEDGER or Path(mkdtemp()) / "ledger.sqlite"  # the sample never touches a real ledger
else:
    scored = read_table(SCORED, what="scored leads")
    judge = load_judge(MODEL) if MODEL else None
queue = scored[disputed(scored).to_numpy()]
print(f"{len(queue):,} disputed leads of {len(scored):,}")
queue[["lead_id", "marketing_verdict", "sales_verdict", "charter_verdict", "model_verdict", "responsibility"]].head(10)

# %% [markdown]
# ## The card

# %%
lead = queue.iloc[0] if LEAD_ID is None else scored.set_index("lead_id").loc[LEAD_ID].copy()
if LEAD_ID is not None:
    lead["lead_id"] = LEAD_ID
titles = {g: judge.spec.title(g, "ru") for g in judge.spec.group_ids} if judge else {}
charter = judge.charter if judge else None
card = dispute_card(lead, charter=charter, titles=titles, locale="ru")
display(HTML(render_card_html(card)))

# %% [markdown]
# ## The owner's verdict, into the ledger

# %%
with open_ledger(LEDGER) as ledger:
    ledger.adjudicate(str(lead["lead_id"]), VERDICT, by=BY, note="settled in 04_disputed_cases")
    history = ledger.adjudications(latest=False)
history.tail(5)
