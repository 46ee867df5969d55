"""Privacy: erasing a visitor (`DELETE /v1/visitors/{visitor_id}`) and deleting a whole site
(`elnudge sites delete`). Above every area that keeps data, so each can join the erasure."""
