# The figures every data set has, in one job; a figure it cannot draw fails the job.
rule figures:
    input:
        unpack(get_figures_input),
    output:
        figure_outputs(COMMON_FIGURES),
    log:
        "logs/{dataset}/figures.log",
    benchmark:
        "logs/benchmarks/{dataset}/figures.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        args=get_figures_args,
        figures=COMMON_FIGURES,
        tables=tables_dir,
        out_dir=output_dir,
    shell:
        "seqattn plot all --tables {params.tables:q} --data {input.data:q}"
        " --panel {input.panel:q} {params.args:q} --figures {params.figures:q} --strict"
        " --formats png,pdf --out-dir {params.out_dir:q} > {log:q} 2>&1"


# Asked for only where the headline method has attention weights (dataset_figures).
rule attention_figure:
    input:
        get_attention_figure_input,
    output:
        png=_figure_png(ATTENTION_FIGURE),
        pdf=f"results/{{dataset}}/figures/{ATTENTION_FIGURE}.pdf",
    log:
        "logs/{dataset}/attention_figure.log",
    benchmark:
        "logs/benchmarks/{dataset}/attention_figure.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    shell:
        "seqattn plot trajectory {input:q} --out {output.png:q} --pdf {output.pdf:q}"
        " > {log:q} 2>&1"


# Asked for only where two methods or more ran (dataset_figures).
rule similarity_figure:
    input:
        "results/{dataset}/tables/method_similarity.tsv",
    output:
        png=_figure_png(SIMILARITY_FIGURE),
        pdf=f"results/{{dataset}}/figures/{SIMILARITY_FIGURE}.pdf",
    log:
        "logs/{dataset}/similarity_figure.log",
    benchmark:
        "logs/benchmarks/{dataset}/similarity_figure.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    shell:
        "seqattn plot similarity {input:q} --out {output.png:q} --pdf {output.pdf:q}"
        " > {log:q} 2>&1"


# Asked for only where the panels were bought with costs (dataset_figures): balanced
# accuracy against each fold panel's cost, from the metrics and panel_cost tables.
rule cost_figure:
    input:
        metrics="results/{dataset}/tables/metrics.tsv",
        panel_cost="results/{dataset}/tables/panel_cost.tsv",
        # `seqattn plot all` asks for the data; this figure reads the two tables only
        data="results/{dataset}/data.h5ad",
    output:
        png=_figure_png(COST_FIGURE),
        pdf=f"results/{{dataset}}/figures/{COST_FIGURE}.pdf",
    log:
        "logs/{dataset}/cost_figure.log",
    benchmark:
        "logs/benchmarks/{dataset}/cost_figure.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        figure=COST_FIGURE,
        tables=metrics_dir,
        out_dir=output_dir,
    shell:
        "seqattn plot all --tables {params.tables:q} --data {input.data:q}"
        " --figures {params.figure:q} --strict --formats png,pdf"
        " --out-dir {params.out_dir:q} > {log:q} 2>&1"


rule summary:
    input:
        unpack(get_summary_input),
    output:
        report(
            "results/{dataset}/summary.md",
            caption="../report/summary_page.rst",
            category="{dataset}",
            subcategory="Summary",
        ),
    log:
        "logs/{dataset}/summary.log",
    benchmark:
        "logs/benchmarks/{dataset}/summary.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        args=get_summary_args,
        tables=tables_dir,
    shell:
        "seqattn summary --tables {params.tables:q} --data {input.data:q}"
        " --panel {input.panel:q} {params.args:q} --figures {input.figures:q}"
        " --out {output:q} > {log:q} 2>&1"
