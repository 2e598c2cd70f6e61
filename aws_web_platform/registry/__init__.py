"""ECR repositories and the image each release deploys."""
