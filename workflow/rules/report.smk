rule figures:
    input:
        unpack(get_figures_input),
    output:
        figure_outputs(),
    log:
        "logs/{dataset}/figures.log",
    benchmark:
        "logs/benchmarks/{dataset}/figures.tsv"
    conda:
        "../../envs/seqattn.yaml"
    threads: 1
    params:
        args=get_figures_args,
        tables=tables_dir,
        out_dir=output_dir,
    shell:
        "seqattn plot all --tables {params.tables:q} --data {input.data:q} {params.args:q}"
        " --formats png,pdf --out-dir {params.out_dir:q} > {log:q} 2>&1"


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
        figures=figures_dir,
    shell:
        "seqattn summary --tables {params.tables:q} --data {input.data:q} {params.args:q}"
        " --figures {params.figures:q} --out {output:q} > {log:q} 2>&1"
