"""The export tasks the worker runs (`manage.py db_worker`, Django's tasks API through
django-tasks' database backend); the work itself is in exports/jobs.py."""

from django_tasks import task

from exports import jobs


@task()
def run_export_job(job_id: int) -> int:
    """Write a queued export job's file; the rows written."""
    return jobs.run_job(job_id)


@task()
def expire_export_files() -> int:
    """Delete the files of export jobs past their expiry; the jobs expired."""
    return jobs.expire_jobs()
