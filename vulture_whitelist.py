"""Names vulture cannot see used: read by the tests, the benchmarks or through asdict / JSON.

Each was checked by hand (grep over tests/, benchmarks/, scripts/): a report counter a test
asserts on, an archive method the contract tests exercise on both backends, a field written
out with ``asdict``. Run ``make vulture`` after removing code; a name listed here that no
longer exists anywhere should go from this list too.
"""

# ruff: noqa
from vulture.whitelist_utils import Whitelist

_ = Whitelist()

_.is_working_day  # unused method (alerts/calendar.py:119)
sends  # unused variable (alerts/notify.py:47)
admin_reports  # unused variable (alerts/notify.py:48)
_.attempted  # unused property (alerts/notify.py:55)
_.sends  # unused attribute (alerts/notify.py:90)
_.admin_reports  # unused attribute (alerts/notify.py:92)
reopen  # unused function (alerts/obligations.py:178)
time_left  # unused function (alerts/obligations.py:248)
messages_queued  # unused variable (alerts/stage.py:66)
obligations_inhibited  # unused variable (alerts/stage.py:67)
mentions_read  # unused variable (alerts/stage.py:68)
fulfilments_proposed  # unused variable (alerts/stage.py:69)
fulfilments_closed  # unused variable (alerts/stage.py:70)
reminders_queued  # unused variable (alerts/stage.py:71)
_.mentions_read  # unused attribute (alerts/stage.py:84)
_.obligations_inhibited  # unused attribute (alerts/stage.py:96)
_.fulfilments_closed  # unused attribute (alerts/stage.py:103)
_.fulfilments_proposed  # unused attribute (alerts/stage.py:103)
_.messages_queued  # unused attribute (alerts/stage.py:105)
_.reminders_queued  # unused attribute (alerts/stage.py:107)
_.iter_hits  # unused method (archive/es/reads.py:85)
drop_all  # unused function (archive/es/setup.py:91)
_.data_type  # unused attribute (archive/export.py:112)
_.has_text  # unused property (archive/query.py:83)
_.ledger.upsert_alert  # unused method (archive/sqlite/ledger.py:103)
_.ledger.open_obligation  # unused method (archive/sqlite/ledger.py:176)
_.ledger.list_rejects  # unused method (archive/sqlite/ledger.py:411)
revoke_user  # unused function (dashboard/session_store.py:97)
_.region_code  # unused property (nlp/entities.py:88)
named_regions  # unused function (nlp/entities_regions.py:167)
ced_activities  # unused function (nlp/heat.py:162)
EDGE_KINDS  # unused variable (nlp/propagation.py:66)
_.rebuilds  # unused attribute (nlp/propagation.py:210)
_.rebuilds  # unused attribute (nlp/propagation.py:248)
first_by_platform  # unused variable (nlp/propagation_figures.py:59)
spearman  # unused function (nlp/training/cluster_metrics.py:47)
_.share_valid  # unused property (reports/citations.py:29)
led_steps  # unused variable (yuqing/analyze_worker.py:71)
_.led_steps  # unused attribute (yuqing/analyze_worker.py:107)
expected_path_for  # unused function (yuqing/demo/expected.py:159)
read_run  # unused function (yuqing/demo/run_data.py:92)
score_run  # unused function (yuqing/demo/scoring.py:294)
demo_tree  # unused function (yuqing/demo/unit_scoring.py:30): benchmarks/decisions_bench.py
score_units  # unused function (yuqing/demo/unit_scoring.py:61): benchmarks/decisions_bench.py
held_out  # used by benchmarks/nlp_rumor_bench.py
held_out_table  # used by benchmarks/nlp_rumor_bench.py
_.predict_proba  # unused method (nlp/relevance_model.py: tests compare it with scikit-learn's)
sweep  # unused function (nlp/training/relevance_tuning.py): benchmarks/nlp_relevance_bench.py --tuning
reference_of  # unused function (nlp/rumor/hearsay.py): tests/test_nlp_rumor_hearsay.py reads an event's reference from its reports
parse_variant  # read by benchmarks/nlp_rumor_transfer_bench.py (nlp/training/rumor_transfer.py:71)
domains_of  # read by benchmarks/nlp_rumor_transfer_bench.py (nlp/training/rumor_weights.py)
transfer_decision  # read by benchmarks/nlp_rumor_transfer_bench.py (nlp/training/rumor_transfer.py:221)
weighted  # unused function (nlp/training/relevance_blind_net.py): benchmarks/nlp_relevance_bench.py
relevant_share  # unused variable (nlp/training/relevance_blind_net.py): benchmarks/nlp_relevance_bench.py
embed_cached  # read by benchmarks/encoder_probe.py (nlp/training/encoder.py)
_.intra_op_num_threads  # onnxruntime.SessionOptions reads it (nlp/training/encoder.py)
