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
# # The monthly audit: whose misses cost more this month?
#
# The owner's monthly question. This notebook judges a month of leads with
# the agreed charter and the judge, attributes every miss to the side that
# made it, and puts the numbers side by side: target leads counted four ways,
# how far the departments agree, who answers for what (by channel, campaign,
# manager, region), the trend over the months, whose verdicts hold up, and
# the disputed leads. All logic lives in `triage`; the notebook only calls it.
#
# Point it at the demo's outputs (`make demo`): `LEADS = "data/sample/leads.csv"`,
# `MODEL = "models/demo"`; or leave `LEADS = None` for a generated sample.

# %% tags=["parameters"]
MONTH = None  # "YYYY-MM"; None: the latest month
LEADS = None  # a lead export; None generates the sample world
MODEL = None  # a model folder (triage train / make demo); None trains one on the sample
SCHEMA = None  # lead schema YAML for a CRM export with its own columns
CATALOG = None  # the shop's catalog (default: the model's copy)
SEED = 7
MONTHS = 4
LEADS_PER_MONTH = 1500
CATALOG_SIZE = 20000

# %%
import warnings

import pandas as pd
from IPython.display import HTML, display

from triage.audit import build_audit
from triage.charter import agreement_table
from triage.config import get_settings
from triage.io.leads import LeadSchema, load_leads
from triage.ledger import Ledger
from triage.model import load_judge, train_judge
from triage.pipeline import Scorer
from triage.report.audit import charts
from triage.synth import generate_world

warnings.simplefilter("ignore", FutureWarning)
if LEADS is None:
    world = generate_world(
        months=MONTHS, leads_per_month=LEADS_PER_MONTH, catalog_size=CATALOG_SIZE, seed=SEED
    )
    leads, catalog = world.leads, world.catalog
else:
    judge_for_schema = load_judge(MODEL) if MODEL else None
    schema = SCHEMA or (judge_for_schema.schema if judge_for_schema else None)
    leads = load_leads(LEADS, mapping=schema, strict=False)
    catalog = CATALOG
if MODEL is None:
    first = Scorer.build(catalog=catalog)
    judged = first.score_batch(leads).leads
    months = sorted(judged["created_at"].str[:7].unique())
    earlier = judged[judged["created_at"].str[:7] < months[-1]]
    judge = train_judge(earlier, schema=LeadSchema.synthetic(), charter=first.charter).judge
    scorer = Scorer(charter=first.charter, judge=judge, responsibility=True)
    scored = scorer.score_batch(judged).leads
else:
    judge = load_judge(MODEL)
    scorer = Scorer.build(catalog=catalog, judge=judge, responsibility=True)
    scored = scorer.score_batch(leads).leads
ledger_path = get_settings().ledger_path
adjudications = None
if ledger_path.exists():
    with Ledger(ledger_path, create=False) as ledger:
        adjudications = ledger.adjudications()
summary = build_audit(
    scored, month=MONTH, adjudications=adjudications, charter_label=scorer.charter.label
)
print(f"{len(scored):,} leads; auditing {summary['month']}: {summary['leads']:,} leads")

# %% [markdown]
# ## The answer, in one sentence

# %%
print(summary["headline"]["en"])
print(summary["headline"]["ru"])

# %% [markdown]
# ## Target leads, counted four ways; how far the departments agree

# %%
display(pd.Series(summary["targets"], name="target leads"))
summary["agreement"]

# %%
agreement_table(scored[scored["created_at"].str[:7] == summary["month"]], by="channel")

# %% [markdown]
# ## Who answers for the leads

# %%
pd.Series(summary["responsibility"], name="leads")

# %%
pd.DataFrame(summary["breakdowns"]["campaign"]).set_index("group")

# %%
pd.DataFrame(summary["breakdowns"]["manager"]).set_index("group")

# %% [markdown]
# ## The trend, and whose verdicts hold up

# %%
for svg in charts(summary).values():
    display(HTML(svg))
pd.DataFrame(summary["trend"]).set_index("month")

# %%
pd.DataFrame(summary["reliability"]["sides"]).set_index("side")

# %%
pd.DataFrame(summary["reliability"]["managers"]).set_index("manager")

# %% [markdown]
# ## The disputed leads (open them in `04_disputed_cases`)

# %%
print(f"{summary['disputes_total']:,} disputed leads")
pd.DataFrame(summary["disputes"]).head(20)
