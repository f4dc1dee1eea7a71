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
# # The judge: trained on agreed leads, explained by charter criterion
#
# The owner wants an impartial judge for the leads the two departments still
# fight over. This notebook trains one on the leads both departments agreed
# on, puts it beside the charter alone, each department's verdict and the
# majority class, shows what drives it (by criterion, in probability points)
# and opens three leads. All logic lives in `triage`; the notebook only
# calls it.

# %% tags=["parameters"]
LEADS = None  # a lead export; None generates the sample world
CATALOG = None  # the shop's catalog (needed to decode raw requests)
SCHEMA = None  # lead schema YAML for a CRM export with its own columns
SEED = 7
MONTHS = 4
LEADS_PER_MONTH = 1500
CATALOG_SIZE = 20000

# %%
import json
import warnings

from IPython.display import HTML, Image, display

from triage.explain import explain, global_importance
from triage.io.leads import LeadSchema, load_leads, load_schema
from triage.model import train_judge
from triage.pipeline import Scorer
from triage.report.card import lead_card, render_card_html
from triage.synth import generate_world

warnings.simplefilter("ignore", FutureWarning)
truth = None
if LEADS is None:
    world = generate_world(
        months=MONTHS, leads_per_month=LEADS_PER_MONTH, catalog_size=CATALOG_SIZE, seed=SEED
    )
    leads, catalog, truth = world.leads, world.catalog, world.truth
else:
    leads = load_leads(LEADS, mapping=SCHEMA)
    catalog = CATALOG
schema = load_schema(SCHEMA) if SCHEMA else LeadSchema.synthetic()
scorer = Scorer.build(catalog=catalog)
judged = scorer.score_batch(leads).leads
print(f"{len(judged):,} leads judged by the charter {scorer.charter.label}")

# %% [markdown]
# ## Train on the agreed leads; the evaluation beside the baselines

# %%
result = train_judge(judged, schema=schema, charter=scorer.charter, truth=truth)
print(result.counts)
print(result.split.how)
print(f"estimator: {result.choice.name}, out-of-fold log loss {result.choice.oof_log_loss}")
columns = ["predictor", "leads", "roc_auc", "pr_auc", "brier", "log_loss", "f1", "accuracy", "lift_top_decile"]
result.evaluation[columns].round(3)

# %% [markdown]
# On the synthetic world, also every lead of the test period (agreed or
# disputed) against the ground truth:

# %%
result.truth_evaluation[columns].round(3) if result.truth_evaluation is not None else None

# %% [markdown]
# ## What drives the judge, by criterion (mean absolute probability points)

# %%
judge = result.judge
sample = result.test.head(2000)
ex = explain(judge.pipeline, judge.spec, judge.matrix(sample), background=judge.background)
global_importance(ex, judge.spec).round(2)

# %%
from pathlib import Path
from tempfile import mkdtemp

from triage.explain import write_plots

plots = write_plots(ex, judge.spec, sample, Path(mkdtemp()))
display(Image(filename=str(plots["beeswarm.png"])))

# %% [markdown]
# ## Three leads, opened with the list beside them

# %%
scorer_with_judge = Scorer(decoder=None, charter=judge.charter, judge=judge)
picks = sample[sample["marketing_verdict"] != sample["sales_verdict"]].head(3)
scored = scorer_with_judge.score_chunk(picks)
titles = {g: judge.spec.title(g, "ru") for g in judge.spec.group_ids}
for _, row in scored.iterrows():
    print(f"{row['lead_id']}: {row['request_text']!r} -> p_target {row['p_target']:.2f}")
    for item in json.loads(row["reasons"]):
        print("   ", item["text"]["ru"], "|", item["text"]["en"])
    display(HTML(render_card_html(lead_card(row, charter=judge.charter, titles=titles))))
