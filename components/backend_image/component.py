"""The backend container image: built from our multi-stage Dockerfile and pushed, or taken pinned from CI."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import tokens
from components.backend_image.contract import BUILD_TARGET


@dataclass
class BackendImageArgs:
    repository: pulumi.Input[str]
    tag: pulumi.Input[str]
    build_context: str
    dockerfile: str
    platform: str
    # A digest-pinned reference CI already built and pushed; when given nothing is built.
    prebuilt_reference: str | None = None


class BackendImage(pulumi.ComponentResource):
    """Exports `image_ref`, always pinned by digest, which is what the Railway service deploys."""

    image_ref: pulumi.Output[str]

    def __init__(self, name: str, args: BackendImageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.BACKEND_IMAGE, name, None, opts)
        if args.prebuilt_reference is not None:
            self.image_ref = pulumi.Output.from_input(args.prebuilt_reference)
        else:
            image = docker.Image(
                name,
                image_name=pulumi.Output.concat(args.repository, ":", args.tag),
                build=docker.DockerBuildArgs(
                    context=args.build_context,
                    dockerfile=args.dockerfile,
                    platform=args.platform,
                    target=BUILD_TARGET,
                ),
                # Registry credentials come from the Docker config of whoever runs `pulumi up`
                # (`docker login ghcr.io`), so no token is stored in the state.
                skip_push=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.image_ref = image.repo_digest
        self.register_outputs({"imageRef": self.image_ref})
