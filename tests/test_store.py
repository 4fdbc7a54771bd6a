"""The chunk store of resumable sweeps is safe to share: chunks under ``<name>.chunks/<key>/`` (key = hash of task,
parameters, inputs, chunk size and jaxem version) with a manifest written once, atomic writes of unique temporary
files, changed inputs keep the old chunks, two configs or two concurrent runs in one folder neither mix nor
corrupt results, damaged chunks are recomputed.  Cheap: no physics kernel is compiled."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from jaxem.sweeps import Output
from jaxem.sweeps.output import _atomic_write_bytes

ROOT = Path(__file__).resolve().parents[1]


def _counting(factor=1.0):
    calls = []

    def fn(b):
        calls.append(np.array(b["x"]))
        return {"y": factor * np.asarray(b["x"]) ** 2}

    return fn, calls


def _key_dirs(folder, name="s"):
    return sorted(p for p in (Path(folder) / f"{name}.chunks").iterdir() if p.is_dir())


def test_layout_keyed_folder_and_manifest_written_once(tmp_path):
    x = np.arange(5.0)
    fn, calls = _counting()
    out = Output(tmp_path, task="t", params={"a": 1}, quiet=True)
    res = out.sweep("s", fn, {"x": x}, chunk_size=2)
    np.testing.assert_array_equal(res["y"], x ** 2)
    (cdir,) = _key_dirs(tmp_path)
    assert out.sweep_dirs["s"] == cdir and cdir.name == out.sweep_key("s", {"x": x}, 2)
    assert sorted(p.name for p in cdir.iterdir()) == ["chunk_00000.npz", "chunk_00001.npz", "chunk_00002.npz",
                                                      "manifest.json"]
    man = json.loads((cdir / "manifest.json").read_text())
    assert man["key"] == cdir.name and man["task"] == "t" and man["params"] == {"a": 1}
    assert man["n_points"] == 5 and man["n_chunks"] == 3 and "jaxem_version" in man
    stamp = (cdir / "manifest.json").stat().st_mtime_ns
    calls.clear()
    Output(tmp_path, task="t", params={"a": 1}, quiet=True).sweep("s", fn, {"x": x}, chunk_size=2)
    assert not calls                                              # resumed
    assert (cdir / "manifest.json").stat().st_mtime_ns == stamp   # written once, not rewritten
    assert not list(tmp_path.rglob("*.tmp"))


def test_changed_input_keeps_the_old_chunks(tmp_path, capsys):
    x = np.arange(4.0)
    fn, calls = _counting()
    Output(tmp_path, task="t", params={"a": 1}, quiet=True).sweep("s", fn, {"x": x}, chunk_size=2)
    Output(tmp_path, task="t", params={"a": 2}).sweep("s", fn, {"x": x}, chunk_size=2)
    assert "inputs changed" in capsys.readouterr().err
    Output(tmp_path, task="t", params={"a": 2}, quiet=True).sweep("s", fn, {"x": x + 1}, chunk_size=2)
    assert len(_key_dirs(tmp_path)) == 3 and len(calls) == 6
    calls.clear()
    for a, xs in ((1, x), (2, x), (2, x + 1)):                    # every earlier run still resumes whole
        res = Output(tmp_path, task="t", params={"a": a}, quiet=True).sweep("s", fn, {"x": xs}, chunk_size=2)
        np.testing.assert_array_equal(res["y"], xs ** 2)
    assert not calls


def test_two_configs_in_one_folder_do_not_mix(tmp_path):
    """Two configs (different tasks and parameters, same sweep name) alternate in one output folder."""
    x = np.linspace(0.0, 1.0, 6)
    f1, c1 = _counting(1.0)
    f2, c2 = _counting(-3.0)
    for _ in range(2):
        r1 = Output(tmp_path, task="one", params={"scale": 1.0}, quiet=True).sweep("s", f1, {"x": x}, chunk_size=4)
        r2 = Output(tmp_path, task="two", params={"scale": -3.0}, quiet=True).sweep("s", f2, {"x": x}, chunk_size=4)
        np.testing.assert_array_equal(r1["y"], x ** 2)
        np.testing.assert_array_equal(r2["y"], -3.0 * x ** 2)
    assert len(c1) == 2 and len(c2) == 2                          # computed once each, then resumed
    assert len(_key_dirs(tmp_path)) == 2


def test_damaged_chunk_in_the_keyed_folder_is_recomputed(tmp_path):
    x = np.arange(6.0)
    fn, calls = _counting()
    out = Output(tmp_path, task="t", quiet=True)
    out.sweep("s", fn, {"x": x}, chunk_size=2)
    chunk = out.sweep_dirs["s"] / "chunk_00002.npz"
    chunk.write_bytes(chunk.read_bytes()[:40])                    # cut short
    calls.clear()
    with pytest.warns(RuntimeWarning, match="damaged chunk file .*chunk_00002"):
        res = Output(tmp_path, task="t", quiet=True).sweep("s", fn, {"x": x}, chunk_size=2)
    np.testing.assert_array_equal(res["y"], x ** 2)
    assert len(calls) == 1 and list(calls[0]) == [4.0, 5.0]
    with np.load(chunk) as d:                                     # written back whole
        np.testing.assert_array_equal(d["y"], [16.0, 25.0])


def test_lost_manifest_recomputes_and_legacy_chunks_are_left_alone(tmp_path, capsys):
    x = np.arange(4.0)
    legacy = tmp_path / "s.chunks"
    legacy.mkdir()
    np.savez(legacy / "chunk_00000.npz", y=np.zeros(2))          # the layout before keyed folders
    (legacy / "manifest.json").write_text(json.dumps({"key": "old", "jaxem_version": "0.0.1"}))
    fn, calls = _counting()
    out = Output(tmp_path, task="t")
    out.sweep("s", fn, {"x": x}, chunk_size=2)
    assert "jaxem 0.0.1" in capsys.readouterr().err
    assert (legacy / "chunk_00000.npz").exists()                  # nothing deleted
    (out.sweep_dirs["s"] / "manifest.json").unlink()
    calls.clear()
    res = Output(tmp_path, task="t").sweep("s", fn, {"x": x}, chunk_size=2)
    np.testing.assert_array_equal(res["y"], x ** 2)
    assert len(calls) == 2 and "without a manifest" in capsys.readouterr().err
    assert (out.sweep_dirs["s"] / "manifest.json").exists()


def test_atomic_write_uses_unique_temporary_files(tmp_path):
    target = tmp_path / "f.bin"
    _atomic_write_bytes(target, lambda fh: fh.write(b"one"))

    def broken(fh):
        fh.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        _atomic_write_bytes(target, broken)
    assert target.read_bytes() == b"one" and sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]


_WRITER = textwrap.dedent("""
    import sys, time
    import jax
    jax.config.update("jax_enable_x64", True)
    import numpy as np
    from jaxem.sweeps import Output

    def fn(b):
        time.sleep(0.05)           # let the two writers interleave
        return {"y": np.sin(np.asarray(b["x"])) * 1e3, "z": np.asarray(b["x"])[:, None] * np.ones(3)}

    x = np.linspace(0.0, 3.0, 40)
    res = Output(sys.argv[1], task="t", params={"p": 1}, quiet=True).sweep("s", fn, {"x": x}, chunk_size=2)
    np.savez(sys.argv[2], **res)
""")


def test_two_concurrent_runs_of_one_config_share_a_folder(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    folder = tmp_path / "shared"
    procs = [subprocess.Popen([sys.executable, str(script), str(folder), str(tmp_path / f"r{i}.npz")],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    for p in procs:
        try:
            _, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            raise
        assert p.returncode == 0, err
        assert "damaged" not in err
    r0, r1 = (dict(np.load(tmp_path / f"r{i}.npz")) for i in range(2))
    x = np.linspace(0.0, 3.0, 40)
    for r in (r0, r1):
        np.testing.assert_array_equal(r["y"], np.sin(x) * 1e3)
        np.testing.assert_array_equal(r["z"], x[:, None] * np.ones(3))
    (cdir,) = _key_dirs(folder)
    chunks = sorted(cdir.glob("chunk_*.npz"))
    assert len(chunks) == 20 and not list(folder.rglob("*.tmp"))
    for i, path in enumerate(chunks):                             # every file whole and right
        with np.load(path) as d:
            np.testing.assert_array_equal(d["y"], np.sin(x[2 * i:2 * i + 2]) * 1e3)
    fn, calls = _counting()
    Output(folder, task="t", params={"p": 1}, quiet=True).sweep("s", fn, {"x": x}, chunk_size=2)
    assert not calls                                              # a third run resumes all of it
