"""Print, as JSON, what AWS holds for the pipeline of one service (the molecule verify's reads).

Usage: read_back.py REGION PREFIX SERVICE. Reads with boto3 only (the endpoint and credentials
come from the environment, AWS_ENDPOINT_URL on the emulator), independently of the modules under
test: CodeDeploy GetApplication / GetDeploymentGroup, CodePipeline GetPipeline, IAM
ListOpenIDConnectProviders / GetOpenIDConnectProvider / GetRole / GetRolePolicy, S3
GetBucketEncryption / GetBucketVersioning / GetPublicAccessBlock, CodeBuild BatchGetProjects,
SNS GetTopicAttributes.
"""

import json
import sys
from urllib.parse import unquote

import boto3


def main(region, prefix, service):
    name = f"{prefix}-{service}"
    codedeploy = boto3.client("codedeploy", region_name=region)
    iam = boto3.client("iam", region_name=region)
    s3 = boto3.client("s3", region_name=region)
    account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    bucket = f"{prefix}-pipeline-artifacts-{account}"
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    github = [iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn) for arn in providers
              if arn.endswith("/token.actions.githubusercontent.com")]
    role = iam.get_role(RoleName=f"{prefix}-github-{service}")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    policy = iam.get_role_policy(RoleName=f"{prefix}-github-{service}", PolicyName="push-and-start")["PolicyDocument"]
    result = {
        "application": codedeploy.get_application(applicationName=name)["application"],
        "deployment_group": codedeploy.get_deployment_group(applicationName=name, deploymentGroupName=name)["deploymentGroupInfo"],
        "pipeline": boto3.client("codepipeline", region_name=region).get_pipeline(name=name)["pipeline"],
        "oidc_providers": [{"Url": p["Url"], "ClientIDList": p["ClientIDList"]} for p in github],
        "github_role_trust": json.loads(unquote(trust)) if isinstance(trust, str) else trust,
        "github_role_policy": json.loads(unquote(policy)) if isinstance(policy, str) else policy,
        "bucket_encryption": s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"],
        "bucket_versioning": s3.get_bucket_versioning(Bucket=bucket).get("Status"),
        "bucket_public_access": s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
        "codebuild_project": boto3.client("codebuild", region_name=region).batch_get_projects(
            names=[f"{name}-integration-tests"])["projects"][0],
        "approval_topic": boto3.client("sns", region_name=region).get_topic_attributes(
            TopicArn=f"arn:aws:sns:{region}:{account}:{prefix}-pipeline-approvals")["Attributes"],
    }
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:4])
