"""The S3 side: bucket checks, streamed multipart uploads, atomic publication, verified downloads."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
)

from .errors import BackupCorruptError, BackupNotFoundError, BucketMissingError, ChecksumMismatchError, StorageError
from .naming import PARTIAL_DIR, BackupRef, manifest_key, parse_key, stack_prefix
from .progress import Reporter, human_bytes

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

    from .progress import Progress

META_SHA256 = "sha256"
META_SIZE = "size"
META_STACK = "stack"
META_CREATED = "created-at"
META_FORMAT = "format"

OTHER_BACKUP = "restore another backup with --key (python -m ops.backup list shows them)"
LIVE_FIX = "compare with the live source instead: --against live --database-url ..."
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")

MAX_PARTS = 10_000
DOWNLOAD_CHUNK = 1024 * 1024


def make_client(endpoint_url: str | None = None, region: str | None = None) -> S3Client:
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=15, read_timeout=120)
    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)


@contextmanager
def s3_call(action: str, bucket: str, key: str | None = None) -> Iterator[None]:
    """Turn botocore exceptions into one-line errors."""
    where = f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", ""))
        if code == "NoSuchBucket":
            raise BucketMissingError(f"bucket {bucket!r} does not exist") from None
        if code in ("NoSuchKey", "404", "NotFound"):
            raise BackupNotFoundError(f"{where} does not exist") from None
        if code in ("AccessDenied", "403", "Forbidden"):
            raise StorageError(f"access denied to {where} while {action}") from None
        raise StorageError(f"S3 error while {action} {where}: {code} {message}".rstrip()) from None
    except NoCredentialsError:
        raise StorageError(
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a profile or role)"
        ) from None
    except (EndpointConnectionError, ConnectTimeoutError) as exc:
        raise StorageError(f"cannot reach S3 while {action}: {exc}") from None
    except BotoCoreError as exc:
        raise StorageError(f"S3 error while {action} {where}: {exc}") from None


@dataclass(frozen=True)
class Encryption:
    """Server-side encryption: SSE-S3 (AES256) unless a KMS key id is given (SSE-KMS)."""

    kms_key_id: str | None = None

    def args(self) -> dict[str, str]:
        if self.kms_key_id:
            return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}
        return {"ServerSideEncryption": "AES256"}

    def describe(self) -> str:
        return f"SSE-KMS ({self.kms_key_id})" if self.kms_key_id else "SSE-S3 (AES256)"


@dataclass(frozen=True)
class StoredBackup:
    ref: BackupRef
    size: int
    sha256: str
    metadata: dict[str, str]


@dataclass
class Listing:
    backups: list[BackupRef] = field(default_factory=list)  # oldest first
    sizes: dict[str, int] = field(default_factory=dict)
    manifests: dict[str, datetime] = field(default_factory=dict)
    partials: dict[str, datetime] = field(default_factory=dict)


class MultipartUpload:
    """A multipart upload fed from a stream; nothing is visible in the bucket until `complete()`."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        key: str,
        extra: dict[str, str],
        *,
        part_size: int,
        max_in_flight: int = 2,
    ) -> None:
        self._client = client
        self.bucket = bucket
        self.key = key
        self.part_size = part_size
        self._max_in_flight = max_in_flight
        with s3_call("starting the upload", bucket, key):
            response = client.create_multipart_upload(
                Bucket=bucket,
                Key=key,
                ContentType="application/octet-stream",
                **extra,  # type: ignore[arg-type]
            )
        self.upload_id = response["UploadId"]
        self._parts: list[dict[str, Any]] = []
        self._finished = False

    def feed(self, stream: IO[bytes], progress: Progress) -> tuple[int, str]:
        """Upload everything the stream yields; returns (bytes, sha256 hex). Parts go up while reading."""
        digest = hashlib.sha256()
        total = 0
        futures: list[Future[dict[str, Any]]] = []
        slots = threading.BoundedSemaphore(self._max_in_flight)
        with ThreadPoolExecutor(max_workers=self._max_in_flight, thread_name_prefix="s3-part") as pool:
            try:
                number = 0
                while True:
                    chunk = _read_full(stream, self.part_size)
                    if not chunk:
                        break
                    number += 1
                    if number > MAX_PARTS:
                        raise StorageError(f"dump exceeds {MAX_PARTS} parts: raise --part-size-mib")
                    digest.update(chunk)
                    total += len(chunk)
                    slots.acquire()
                    future = pool.submit(self._upload_part, number, chunk)
                    future.add_done_callback(lambda _f: slots.release())
                    futures.append(future)
                    progress.advance(len(chunk))
                    for done in futures:
                        if done.done() and done.exception() is not None:
                            done.result()
                self._parts = [f.result() for f in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return total, digest.hexdigest()

    def _upload_part(self, number: int, data: bytes) -> dict[str, Any]:
        with s3_call(f"uploading part {number}", self.bucket, self.key):
            response = self._client.upload_part(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
            )
        return {"PartNumber": number, "ETag": response["ETag"]}

    def complete(self) -> None:
        if not self._parts:
            raise StorageError("refusing to complete an upload with no data")
        with s3_call("completing the upload", self.bucket, self.key):
            self._client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": self._parts},  # type: ignore[typeddict-item]
            )
        self._finished = True

    def abort(self) -> None:
        if self._finished:
            return
        self._finished = True
        # If the abort fails, prune removes the stale upload later; it was never visible as an object.
        with contextlib.suppress(ClientError, BotoCoreError):
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


def _read_full(stream: IO[bytes], size: int) -> bytes:
    chunk = stream.read(size)
    if not chunk or len(chunk) == size:
        return chunk or b""
    buffer = bytearray(chunk)
    while len(buffer) < size:
        more = stream.read(size - len(buffer))
        if not more:
            break
        buffer += more
    return bytes(buffer)


class BackupStore:
    def __init__(self, client: S3Client, bucket: str, prefix: str, reporter: Reporter) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.reporter = reporter

    def check_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise BucketMissingError(f"bucket {self.bucket!r} does not exist") from None
            with s3_call("checking the bucket", self.bucket):
                raise
        except BotoCoreError:
            with s3_call("checking the bucket", self.bucket):
                raise

    # -- listing -------------------------------------------------------------------------------------------
    def scan(self, stack: str) -> Listing:
        listing = Listing()
        base = stack_prefix(self.prefix, stack)
        with s3_call("listing backups", self.bucket, base):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=base):
                for obj in page.get("Contents", []):
                    key = obj["Key"]
                    modified = obj["LastModified"]
                    ref = parse_key(self.prefix, stack, key)
                    if ref is not None:
                        listing.backups.append(ref)
                        listing.sizes[key] = obj["Size"]
                    elif key.startswith(f"{base}{PARTIAL_DIR}/"):
                        listing.partials[key] = modified
                    elif key.endswith(".manifest.json"):
                        listing.manifests[key] = modified
        listing.backups.sort()
        return listing

    def describe(self, ref: BackupRef) -> StoredBackup:
        with s3_call("reading backup metadata", self.bucket, ref.key):
            head = self.client.head_object(Bucket=self.bucket, Key=ref.key)
        metadata = {k.lower(): v for k, v in head.get("Metadata", {}).items()}
        where = f"s3://{self.bucket}/{ref.key}"
        sha = metadata.get(META_SHA256)
        if not sha:
            raise BackupCorruptError(f"{where} has no {META_SHA256} metadata: not made by this tool; {OTHER_BACKUP}")
        if not _SHA256.match(sha):
            raise BackupCorruptError(
                f"{where} has malformed {META_SHA256} metadata (not 64 hex digits): it cannot be verified; "
                f"{OTHER_BACKUP}"
            )
        size = metadata.get(META_SIZE)
        if size is not None and not (size.isascii() and size.isdigit()):
            raise BackupCorruptError(
                f"{where} has malformed {META_SIZE} metadata (not a number of bytes): it cannot be verified; "
                f"{OTHER_BACKUP}"
            )
        return StoredBackup(ref=ref, size=head["ContentLength"], sha256=sha.lower(), metadata=metadata)

    def find(self, stack: str, key: str | None) -> StoredBackup:
        """The backup named by `key`, or the newest published backup of the stack."""
        if key:
            ref = parse_key(self.prefix, stack, key)
            if ref is None:
                raise BackupNotFoundError(
                    f"{key!r} is not a backup key of stack {stack!r} under {self.prefix!r}; "
                    "python -m ops.backup list shows them"
                )
            return self.describe(ref)
        listing = self.scan(stack)
        for ref in reversed(listing.backups):
            try:
                return self.describe(ref)
            except BackupCorruptError as exc:
                self.reporter.warn(f"skipping {ref.key}: {exc}")
        raise BackupNotFoundError(
            f"no backups of stack {stack!r} in s3://{self.bucket}/{stack_prefix(self.prefix, stack)}"
        )

    # -- writing -------------------------------------------------------------------------------------------
    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchKey", "NotFound"):
                return False
            with s3_call("checking for an existing object", self.bucket, key):
                raise
        return True

    def put_json(self, key: str, data: dict[str, Any], encryption: Encryption) -> None:
        body = json.dumps(data, indent=2, sort_keys=True).encode()
        with s3_call("writing the manifest", self.bucket, key):
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType="application/json",
                **encryption.args(),  # type: ignore[arg-type]
            )

    def get_json(self, key: str) -> dict[str, Any] | None:
        try:
            with s3_call("reading the manifest", self.bucket, key):
                body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except BackupNotFoundError:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            raise BackupCorruptError(f"s3://{self.bucket}/{key} is not valid JSON; {LIVE_FIX}") from None
        if not isinstance(data, dict):
            raise BackupCorruptError(f"s3://{self.bucket}/{key} is not a JSON object; {LIVE_FIX}")
        return data

    def publish(self, source_key: str, key: str, metadata: dict[str, str], encryption: Encryption, size: int) -> None:
        """Copy the finished temporary object to its final key with its metadata, then delete the temporary."""
        extra: dict[str, Any] = {
            "Metadata": metadata,
            "MetadataDirective": "REPLACE",
            "ContentType": "application/octet-stream",
            **encryption.args(),
        }
        with s3_call("publishing the backup", self.bucket, key):
            self.client.copy({"Bucket": self.bucket, "Key": source_key}, self.bucket, key, ExtraArgs=extra)
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        if head["ContentLength"] != size:
            self.delete([key])
            raise StorageError(f"published object s3://{self.bucket}/{key} has the wrong size; removed it")
        self.delete([source_key])

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            with s3_call("deleting objects", self.bucket):
                response = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
                )
            errors = response.get("Errors", [])
            if errors:
                first = errors[0]
                raise StorageError(f"could not delete s3://{self.bucket}/{first.get('Key')}: {first.get('Code')}")

    def stale_uploads(self, stack: str, now: datetime, older_than: timedelta) -> list[tuple[str, str]]:
        """Unfinished multipart uploads (key, upload id) of the stack started before now - older_than."""
        stale: list[tuple[str, str]] = []
        with s3_call("listing unfinished uploads", self.bucket):
            paginator = self.client.get_paginator("list_multipart_uploads")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=stack_prefix(self.prefix, stack)):
                for upload in page.get("Uploads", []):
                    if upload["Initiated"].astimezone(UTC) < now - older_than:
                        stale.append((upload["Key"], upload["UploadId"]))
        return stale

    def abort_upload(self, key: str, upload_id: str) -> None:
        with s3_call("aborting an unfinished upload", self.bucket, key):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    # -- reading -------------------------------------------------------------------------------------------
    def download(self, backup: StoredBackup, dest: Path) -> None:
        """Download and verify size and SHA-256; raises ChecksumMismatchError (and removes the file) on mismatch."""
        key = backup.ref.key
        expected_size = int(backup.metadata.get(META_SIZE, backup.size))
        progress = self.reporter.progress(f"download {key}", total=backup.size)
        digest = hashlib.sha256()
        with s3_call("downloading the backup", self.bucket, key):
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            with dest.open("wb") as out:
                for chunk in body.iter_chunks(DOWNLOAD_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    progress.advance(len(chunk))
        progress.finish()
        actual = digest.hexdigest()
        if progress.done != expected_size:
            dest.unlink(missing_ok=True)
            raise ChecksumMismatchError(
                f"s3://{self.bucket}/{key} is {human_bytes(progress.done)} ({progress.done} bytes) but was "
                f"{expected_size} bytes when uploaded (truncated or replaced); nothing was restored"
            )
        if actual != backup.sha256:
            dest.unlink(missing_ok=True)
            raise ChecksumMismatchError(
                f"checksum mismatch for s3://{self.bucket}/{key}: sha256 {actual[:16]}... but the backup "
                f"records {backup.sha256[:16]}...; nothing was restored"
            )
        self.reporter.info(f"sha256 verified: {actual}")

    def manifest_of(self, backup: StoredBackup) -> dict[str, Any] | None:
        return self.get_json(manifest_key(backup.ref.key))
