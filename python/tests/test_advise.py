"""offloadsim.advise on a temporary directory: one small `offload calibrate`
there makes the profile, then the DataFrame must hold the methods the
directory's filesystem allows with their predictions and one recommendation,
and bad input raises ValueError naming it. Nothing is left behind."""
import os
import subprocess

import pytest

import offloadsim
from offloadsim._paths import tool


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    root = tmp_path_factory.mktemp("advise")
    profiles = root / "profiles"
    subprocess.run([str(tool("offload")), "calibrate", "--dir", str(root), "--sizes", "2MiB,4MiB", "--queue-depths", "1",
                    "--repeat", "2", "--jobs", "2", "--out", str(root / "cal"), "--profile-dir", str(profiles)],
                   check=True, capture_output=True)
    (profile,) = profiles.glob("*.json")
    return root, profile


def test_advise_dataframe(calibrated):
    root, profile = calibrated
    (root / "src").write_bytes(os.urandom(3 << 20))
    before = sorted(os.listdir(root))
    df = offloadsim.advise(root / "src", root / "dst", size="64MiB", queue_depth=1, profile=profile)
    assert sorted(os.listdir(root)) == before
    assert "host" in set(df["method"])
    assert (df["predicted_s"] > 0).all() and (df["throughput_Bps"] > 0).all()
    assert df["recommended"].sum() == 1
    # The fastest prediction; or the same kernel operation as it with fewer
    # operations (clone and a remapping copy_file_range); or a method that
    # moves fewer bytes through user space, predicted within the combined
    # uncertainty of the fastest (cli/advise_answer.cpp). Which applies
    # follows the calibration's measurements on this machine.
    rows = df.set_index("method")
    fastest, chosen = rows["predicted_s"].idxmin(), df.attrs["recommended"]
    assert df.attrs["reason"].startswith(chosen + ": ")
    if chosen != fastest and "tied within the uncertainty" in df.attrs["reason"]:
        assert rows.loc[chosen, "user_space_bytes"] < rows.loc[fastest, "user_space_bytes"]
        if df.attrs["probe"]["copy_file_range"] != "remaps":  # else the tie may be with clone's fewer-calls pick
            band = max(0.0, rows.loc[chosen, "rms_relative_error"]) + max(0.0, rows.loc[fastest, "rms_relative_error"])
            assert rows.loc[chosen, "predicted_s"] <= rows.loc[fastest, "predicted_s"] * (1 + band) * (1 + 1e-9)
    elif chosen != fastest:
        assert df.attrs["probe"]["copy_file_range"] == "remaps" and {chosen, fastest} == {"clone", "kernel-copy"}
        assert rows.loc[chosen, "operations"] < rows.loc[fastest, "operations"]
        assert "is the same kernel operation here" in df.attrs["reason"]
    host = df.set_index("method").loc["host"]
    assert host["user_space_bytes"] == 64 << 20
    assert df.attrs["size_bytes"] == 64 << 20 and df.attrs["queue_depth"] == 1
    probe = df.attrs["probe"]
    assert probe["same_fs"] is True and probe["destination_fs"] == profile.stem
    assert any(f["what"] == "destination filesystem" and f["how"].startswith("statfs f_type 0x") for f in probe["findings"])


def test_advise_bad_input(calibrated):
    root, profile = calibrated
    with pytest.raises(ValueError, match="SOURCE .*missing: No such file"):
        offloadsim.advise(root / "missing", root / "dst", profile=profile)
    with pytest.raises(ValueError, match="the directory .*/nowhere does not exist"):
        offloadsim.advise(root / "cal" / "validation.json", root / "nowhere" / "dst", profile=profile)
    with pytest.raises(ValueError, match="--link-rate fast: "):
        offloadsim.advise(root / "cal" / "validation.json", root / "dst", profile=profile, link_rate="fast")
