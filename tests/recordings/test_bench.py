"""The benchmark's helpers: what CPU ran it, and the engine settings it compares."""

from recordings import bench
from recordings.engines import EngineConfig


def test_it_names_the_cpu_with_the_instruction_sets_that_matter():
    description = bench.cpu_description()

    model, _, flags = description.partition("; ")
    assert model
    assert flags == "no AVX2/AVX-512/AMX flags seen" or all(bench.RELEVANT_FLAGS.match(f) for f in flags.split())


def test_it_compares_settings_against_the_pipeline_as_it_was():
    variants = bench.engine_variants(threads=2)

    first = EngineConfig.from_settings(**next(iter(variants.values())))
    assert (first.parallel_channels, first.encoder_margin_seconds) == (1, None)  # channels in turn, full padding
    assert sum(name.startswith("default:") for name in variants) == 1
    assert variants[next(name for name in variants if name.startswith("default:"))] == {}
    for overrides in variants.values():
        EngineConfig.from_settings(**overrides)  # each a valid configuration
