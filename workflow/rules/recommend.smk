# The recommended panel: method and k chosen by an inner CV inside each outer training fold
# (the one-SE rule by default), the choice refitted and scored on the outer test fold, and
# the same procedure on all samples. Fits (outer folds + 1) x (inner_splits x F + 1)
# selectors, F = one per ordered method, len(ks) per fixed-k method (README).
rule recommend:
    input:
        data="results/{dataset}/data.h5ad",
        folds="results/{dataset}/folds.tsv",
        costs=get_costs_input,
    output:
        recommendation=report(
            "results/{dataset}/tables/recommendation.tsv",
            caption="../report/recommendation.rst",
            category="{dataset}",
            subcategory="Recommendation",
        ),
        panel=report(
            "results/{dataset}/tables/recommendation_panel.tsv",
            caption="../report/recommendation_panel.rst",
            category="{dataset}",
            subcategory="Recommendation",
        ),
        folds="results/{dataset}/tables/recommendation_folds.tsv",
        inner="results/{dataset}/tables/recommendation_inner.tsv",
        figure=report(
            "results/{dataset}/figures/recommendation.png",
            caption="../report/figures/recommendation.rst",
            category="{dataset}",
            subcategory="Recommendation",
        ),
        pdf="results/{dataset}/figures/recommendation.pdf",
    log:
        "logs/{dataset}/recommend.log",
    benchmark:
        "logs/benchmarks/{dataset}/recommend.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    resources:
        gpu=get_recommend_gpus,
    params:
        label=get_label,
        args=get_recommend_args,
        out_dir=output_dir,
    shell:
        "seqattn recommend {input.data:q} --label {params.label:q} --folds {input.folds:q}"
        " {params.args:q} --dataset {wildcards.dataset:q} --threads {threads}"
        " --out-dir {params.out_dir:q} --figure {output.figure:q} --figure {output.pdf:q}"
        " > {log:q} 2>&1"
