import gzip
import os
import pickle
import tarfile

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

import visiongrad as vg
from visiongrad.utils.data import DataLoader
from visiongrad.vision import transforms
from visiongrad.vision.datasets import (CIFAR10, MNIST, Digits, ImageFolder, calculate_md5,
                                        read_idx, restricted_load, write_idx)


def test_digits_shapes_scaling_and_split():
    everything = Digits(train=None)
    assert everything.data.shape == (1797, 8, 8) and everything.data.dtype == np.uint8
    assert len(everything.classes) == 10 and set(everything.targets.tolist()) == set(range(10))
    expected = np.round(load_digits().images * 255 / 16).astype(np.uint8)
    assert np.array_equal(everything.data, expected)
    assert everything.data.max() == 255
    train, test = Digits(train=True), Digits(train=False)
    assert (len(train), len(test)) == (1437, 360)
    assert train.targets.dtype == np.int64
    assert np.array_equal(np.bincount(train.targets) + np.bincount(test.targets),
                          np.bincount(everything.targets))
    image, label = train[0]
    assert image.shape == (8, 8) and image.dtype == np.uint8 and isinstance(label, int)


def test_digits_transforms_and_loader():
    dataset = Digits(transform=transforms.ToTensor(), target_transform=lambda y: y + 100)
    image, label = dataset[3]
    assert image.shape == (1, 8, 8) and image.dtype == np.float32
    assert np.allclose(image.numpy()[0], dataset.data[3] / 255)
    assert label == dataset.targets[3] + 100
    images, labels = next(iter(DataLoader(dataset, batch_size=16)))
    assert images.shape == (16, 1, 8, 8) and labels.dtype == np.int64
    with pytest.raises(TypeError, match="train"):
        Digits(train="yes")


def test_getitem_returns_a_copy():
    dataset = Digits()
    image, _ = dataset[0]
    image[...] = 7
    assert not (dataset.data[0] == 7).all()


def image_bytes(data):
    return {image.tobytes() for image in data}


def test_embedded_mnist_is_split_80_20_by_class():
    train, test, everything = MNIST(), MNIST(train=False), MNIST(train=None)
    assert train.data.shape == (4000, 28, 28) and test.data.shape == (1000, 28, 28)
    assert train.data.dtype == np.uint8 and train.targets.dtype == np.int64
    assert np.bincount(train.targets).tolist() == [400] * 10
    assert np.bincount(test.targets).tolist() == [100] * 10
    assert len(everything) == 5000
    assert image_bytes(train.data).isdisjoint(image_bytes(test.data))
    assert image_bytes(train.data) | image_bytes(test.data) == image_bytes(everything.data)
    image, label = test[0]
    assert image.shape == (28, 28) and isinstance(label, int)
    assert len(train.classes) == 10
    with pytest.raises(ValueError, match="root"):
        MNIST(download=True)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    array = (np.arange(2 * 3 * 5) - 7).astype(dtype).reshape(2, 3, 5)
    path = tmp_path / f"array-idx3{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    assert np.array_equal(back, array)


def test_idx_header_is_the_official_layout(tmp_path):
    write_idx(tmp_path / "images", np.zeros((2, 28, 28), np.uint8))
    write_idx(tmp_path / "labels", np.array([3, 1], np.uint8))
    write_idx(tmp_path / "wide", np.array([1], np.int32))
    assert (tmp_path / "images").read_bytes()[:16] == bytes.fromhex("00000803" "00000002"
                                                                  "0000001c" "0000001c")
    assert (tmp_path / "labels").read_bytes() == bytes.fromhex("00000801" "00000002" "0301")
    assert (tmp_path / "wide").read_bytes() == bytes.fromhex("00000c01" "00000001" "00000001")


def test_idx_reader_rejects_bad_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(bytes.fromhex("00000801" "00000005") + b"\x01\x02")
    with pytest.raises(ValueError, match="5 data bytes"):
        read_idx(tmp_path / "short")
    with pytest.raises(TypeError, match="cannot be stored"):
        write_idx(tmp_path / "x", np.zeros(2, np.uint16))


def write_mnist(folder, n_train=12, n_test=5, gzip_train=True):
    rng = np.random.default_rng(0)
    arrays = {"train": (rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
                        rng.integers(0, 10, n_train).astype(np.uint8)),
              "t10k": (rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
                       rng.integers(0, 10, n_test).astype(np.uint8))}
    os.makedirs(folder, exist_ok=True)
    for prefix, (images, labels) in arrays.items():
        suffix = ".gz" if prefix == "train" and gzip_train else ""
        write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte{suffix}"), images)
        write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{suffix}"), labels)
    return arrays


def test_mnist_reads_official_files(tmp_path):
    arrays = write_mnist(tmp_path / "MNIST" / "raw")
    train = MNIST(tmp_path)
    assert np.array_equal(train.data, arrays["train"][0])
    assert np.array_equal(train.targets, arrays["train"][1]) and train.targets.dtype == np.int64
    test = MNIST(tmp_path, train=False, transform=transforms.ToTensor())
    assert len(test) == 5 and test[0][0].shape == (1, 28, 28)
    assert len(MNIST(tmp_path, train=None)) == 17


def test_mnist_reads_files_directly_in_root_and_names_missing_ones(tmp_path):
    write_mnist(tmp_path, gzip_train=False)
    assert len(MNIST(str(tmp_path))) == 12
    os.remove(tmp_path / "t10k-labels-idx1-ubyte")
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        MNIST(tmp_path, train=False)


def test_mnist_download_from_a_mirror(tmp_path):
    mirror = tmp_path / "mirror"
    write_mnist(mirror, gzip_train=True)
    for prefix in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with open(mirror / prefix, "rb") as f, gzip.open(mirror / f"{prefix}.gz", "wb") as g:
            g.write(f.read())
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

    class LocalMNIST(MNIST):
        mirrors = [mirror.as_uri() + "/"]
        resources = [(name, calculate_md5(mirror / name)) for name in names]

    dataset = LocalMNIST(tmp_path / "root", download=True)
    assert len(dataset) == 12
    assert sorted(os.listdir(tmp_path / "root" / "MNIST" / "raw")) == sorted(names)

    class CorruptMNIST(MNIST):
        mirrors = [mirror.as_uri() + "/"]
        resources = [(names[0], "0" * 32)]

    with pytest.raises(RuntimeError, match="MD5"):
        CorruptMNIST(tmp_path / "other", download=True)
    assert os.listdir(tmp_path / "other" / "MNIST" / "raw") == []


CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]


def write_cifar(root, per_batch=3, bytes_keys=True, protocol=2):
    """The official layout: pickled dicts with data (N, 3072) uint8 and labels."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    key = (lambda k: k.encode()) if bytes_keys else (lambda k: k)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {key("batch_label"): key(name), key("data"):
                 rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                 key("labels"): rng.integers(0, 10, per_batch).tolist(),
                 key("filenames"): [key(f"{name}_{i}.png") for i in range(per_batch)]}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=protocol))
        batches[name] = (batch[key("data")], batch[key("labels")])
    meta = {key("label_names"): [key(c) for c in CLASSES], key("num_vis"): 3072}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=protocol))
    return batches


@pytest.mark.parametrize("bytes_keys, protocol", [(True, 2), (False, pickle.HIGHEST_PROTOCOL)])
def test_cifar10_reads_python_batches(tmp_path, bytes_keys, protocol):
    batches = write_cifar(tmp_path, bytes_keys=bytes_keys, protocol=protocol)
    train = CIFAR10(tmp_path)
    assert train.data.shape == (15, 32, 32, 3) and train.data.dtype == np.uint8
    assert train.classes == CLASSES
    raw, labels = batches["data_batch_2"]
    # row layout: 1024 red, then green, then blue values, each row-major 32×32
    assert train.data[3, 5, 7, 0] == raw[0, 5 * 32 + 7]
    assert train.data[3, 5, 7, 2] == raw[0, 2048 + 5 * 32 + 7]
    assert train.targets[3:6].tolist() == labels and train.targets.dtype == np.int64
    test = CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor())
    image, label = test[1]
    assert image.shape == (3, 32, 32) and label == batches["test_batch"][1][1]
    assert len(CIFAR10(tmp_path, train=None)) == 18


def test_cifar10_names_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="cifar-10-batches-py.data_batch_1"):
        CIFAR10(tmp_path)


class Exploit:
    """Unpickling this runs a shell command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_restricted_unpickler_refuses_code_execution(tmp_path):
    marker = tmp_path / "pwned"
    assert pickle.loads(pickle.dumps(Exploit(marker))) == 0 and marker.exists(), \
        "the exploit should work on a plain unpickler"
    marker.unlink()
    write_cifar(tmp_path)
    path = tmp_path / "cifar-10-batches-py" / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": Exploit(marker), b"labels": []}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load global .*system"):
        CIFAR10(tmp_path)
    assert not marker.exists()
    evil_eval = b"cbuiltins\neval\n(Vprint('x')\ntR."
    (tmp_path / "eval.pkl").write_bytes(evil_eval)
    with pytest.raises(pickle.UnpicklingError, match="builtins.eval"):
        restricted_load(tmp_path / "eval.pkl")


def test_cifar10_download_unpacks_the_archive(tmp_path):
    source = tmp_path / "source"
    write_cifar(source)
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source / "cifar-10-batches-py", arcname="cifar-10-batches-py")

    class LocalCIFAR10(CIFAR10):
        url = archive.as_uri()
        tgz_md5 = calculate_md5(archive)

    dataset = LocalCIFAR10(tmp_path / "root", download=True)
    assert len(dataset) == 15 and dataset.classes == CLASSES


def write_png(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_image_folder(tmp_path):
    rng = np.random.default_rng(0)
    cat = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
    dog_gray = rng.integers(0, 256, (4, 7), dtype=np.uint8)
    dog_nested = rng.integers(0, 256, (3, 3, 3), dtype=np.uint8)
    write_png(tmp_path / "cat" / "a.png", cat)
    write_png(tmp_path / "dog" / "b.PNG", dog_gray)
    write_png(tmp_path / "dog" / "more" / "c.png", dog_nested)
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    dataset = ImageFolder(tmp_path)
    assert dataset.classes == ["cat", "dog"] and dataset.class_to_idx == {"cat": 0, "dog": 1}
    assert [os.path.relpath(p, tmp_path) for p, _ in dataset.samples] == \
        ["cat/a.png", "dog/b.PNG", "dog/more/c.png"]
    assert dataset.targets.tolist() == [0, 1, 1] and dataset.targets.dtype == np.int64
    image, label = dataset[0]
    assert np.array_equal(image, cat) and label == 0
    gray, _ = dataset[1]
    assert gray.shape == (4, 7, 3) and np.array_equal(gray[..., 1], dog_gray)
    tensors = ImageFolder(tmp_path, transform=transforms.ToTensor())
    assert tensors[2][0].shape == (3, 3, 3) and tensors[2][0].dtype == np.float32


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no class folders"):
        ImageFolder(tmp_path)
    write_png(tmp_path / "cat" / "a.png", np.zeros((2, 2), np.uint8))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"\['empty'\]"):
        ImageFolder(tmp_path)
    assert len(ImageFolder(tmp_path, allow_empty=True)) == 1
    with pytest.raises(FileNotFoundError, match="not a folder"):
        ImageFolder(tmp_path / "missing")


def test_datasets_load_in_worker_processes():
    dataset = MNIST(train=False, transform=transforms.ToTensor())
    serial = [b[1].numpy().tolist() for b in DataLoader(dataset, batch_size=100)]
    parallel = [b[1].numpy().tolist() for b in DataLoader(dataset, batch_size=100, num_workers=2)]
    assert serial == parallel


def test_repr_names_the_dataset():
    text = repr(MNIST(train=False, transform=transforms.ToTensor()))
    assert "MNIST" in text and "1000" in text and "ToTensor" in text
    assert isinstance(vg.vision.datasets.MNIST, type)
