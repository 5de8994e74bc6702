rule aggregate:
    input:
        unpack(get_aggregate_input),
    output:
        metrics="results/{dataset}/tables/metrics.tsv",
        # selector time and memory: the one table that differs between two runs
        cost="results/{dataset}/tables/cost.tsv",
        predictions="results/{dataset}/tables/predictions.tsv",
        summary=report(
            "results/{dataset}/tables/summary.tsv",
            caption="../report/summary.rst",
            category="{dataset}",
            subcategory="Tables",
        ),
        paired=report(
            "results/{dataset}/tables/paired.tsv",
            caption="../report/paired.rst",
            category="{dataset}",
            subcategory="Tables",
        ),
        selection_frequency=report(
            "results/{dataset}/tables/selection_frequency.tsv",
            caption="../report/selection_frequency.rst",
            category="{dataset}",
            subcategory="Tables",
        ),
        stability=report(
            "results/{dataset}/tables/stability.tsv",
            caption="../report/stability.rst",
            category="{dataset}",
            subcategory="Tables",
        ),
        method_similarity=report(
            "results/{dataset}/tables/method_similarity.tsv",
            caption="../report/method_similarity.rst",
            category="{dataset}",
            subcategory="Tables",
        ),
        # each fold panel's size and cost per k (cost NaN without panel.costs): always
        # written, so the DAG does not depend on the config's panel section
        panel_cost=report(
            "results/{dataset}/tables/panel_cost.tsv",
            caption="../report/panel_cost.rst",
            category="{dataset}",
            subcategory="Tables",
        ),
    log:
        "logs/{dataset}/aggregate.log",
    benchmark:
        "logs/benchmarks/{dataset}/aggregate.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        reference=get_reference_args,
        out_dir=output_dir,
    shell:
        "seqattn aggregate --dataset {wildcards.dataset:q} --metrics {input.metrics:q}"
        " --panels {input.panels:q} --predictions {input.predictions:q}"
        " {params.reference:q} --out-dir {params.out_dir:q} > {log:q} 2>&1"


# The final panel of one method with each marker's selection frequency across its folds.
rule final_panel:
    input:
        unpack(get_final_panel_input),
    output:
        "results/{dataset}/tables/final_panel_{method}.tsv",
    log:
        "logs/{dataset}/final_panel/{method}.log",
    benchmark:
        "logs/benchmarks/{dataset}/final_panel/{method}.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    shell:
        "seqattn final-panel {input.panel:q} --fold-panels {input.folds:q}"
        " --dataset {wildcards.dataset:q} --out {output:q} > {log:q} 2>&1"
